/// The page templates (Mustache). `{{x}}` escapes HTML; `{{{content}}}` is used only for the
/// already-rendered page body inside the layout. No inline script or style anywhere: the
/// Content-Security-Policy forbids both.
enum PageTemplates {
    static let all: [(String, String)] = [
        ("layout", layout), ("login", login), ("password", password), ("home", home), ("members", members),
        ("member", member), ("inbox", inbox), ("review", review), ("mine", mine), ("error", error),
    ]

    static let layout = #"""
        <!DOCTYPE html>
        <html lang="zh-CN">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} - 智慧团建 · 团员电子档案</title>
        <link rel="stylesheet" href="/static/app.css">
        <script src="/static/app.js" defer></script>
        </head>
        <body>
        <header class="topbar">
          <div class="topbar-inner">
            <a class="brand" href="{{homeHref}}"><span class="brand-mark" aria-hidden="true">团</span><span>智慧团建 · 团员电子档案</span></a>
            {{#visitor}}
            <nav class="nav" aria-label="主导航">
              {{#nav}}<a href="{{href}}"{{#active}} class="active" aria-current="page"{{/active}}>{{label}}</a>{{/nav}}
            </nav>
            <div class="user">
              <span class="user-name" id="user-name">{{name}}</span>
              <a href="/password"{{#passwordActive}} class="active"{{/passwordActive}}>修改密码</a>
              <form method="post" action="/logout" class="inline">
                <input type="hidden" name="csrf" value="{{csrf}}">
                <button type="submit" class="link-button" id="logout">退出登录</button>
              </form>
            </div>
            {{/visitor}}
          </div>
        </header>
        <main class="container" id="main">
        {{#flash}}<div class="alert alert-success" role="status" id="flash">{{flash}}</div>{{/flash}}
        {{{content}}}
        </main>
        <footer class="footer">共青团智慧团建系统 · 团员电子档案管理</footer>
        </body>
        </html>
        """#

    static let login = #"""
        <section class="login-wrap">
          <div class="card login-card">
            <h1>用户登录</h1>
            <p class="muted">请使用本人身份证号和密码登录。初始密码为身份证号后8位。</p>
            {{#error}}<div class="alert alert-error" role="alert" id="login-error">{{error}}</div>{{/error}}
            <form method="post" action="/login" class="form" id="login-form">
              <label for="account">账号（身份证号）</label>
              <input id="account" name="account" type="text" autocomplete="username" value="{{account}}" required maxlength="64" autofocus>
              <label for="password">密码</label>
              <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="128">
              <button type="submit" class="button primary block" id="login-button">登录</button>
            </form>
          </div>
        </section>
        """#

    static let password = #"""
        <div class="card narrow">
          <h1>修改密码</h1>
          {{#required}}<div class="alert alert-warning" role="alert" id="password-required">首次登录请先修改初始密码，修改后才能使用其他功能。</div>{{/required}}
          {{#error}}<div class="alert alert-error" role="alert" id="password-error">{{error}}</div>{{/error}}
          <form method="post" action="/password" class="form" id="password-form">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <label for="current">当前密码</label>
            <input id="current" name="currentPassword" type="password" autocomplete="current-password" required maxlength="128">
            <label for="new">新密码</label>
            <input id="new" name="newPassword" type="password" autocomplete="new-password" required minlength="8" maxlength="64">
            <label for="confirm">确认新密码</label>
            <input id="confirm" name="confirmPassword" type="password" autocomplete="new-password" required minlength="8" maxlength="64">
            <p class="hint">8–64位，须同时包含字母和数字，不能使用初始密码（身份证号后8位）。</p>
            <button type="submit" class="button primary" id="password-button">保存新密码</button>
          </form>
        </div>
        """#

    static let home = #"""
        <div class="page-head">
          <h1>工作台</h1>
          {{#switcher}}
          <form method="get" action="/home" class="org-switcher" id="org-switcher">
            <label for="org-select">当前组织</label>
            <select id="org-select" name="org">
              {{#orgs}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/orgs}}
            </select>
            <button type="submit" class="button">切换</button>
          </form>
          {{/switcher}}
        </div>
        <p class="org-line"><strong>{{orgName}}</strong> <span class="muted">{{orgCategory}}</span></p>
        {{#alerts}}<div class="alert alert-warning banner" role="alert"><a href="{{href}}">{{message}}</a></div>{{/alerts}}
        {{^alerts}}<div class="alert alert-success">组织内新团员的电子档案均已上传并认证。</div>{{/alerts}}
        <div class="tiles">
          <a class="tile" href="{{membersHref}}"><span class="tile-num">{{newMembers}}</span><span class="tile-label">新团员（2020年起入团）</span></a>
          <a class="tile" href="{{notUploadedHref}}"><span class="tile-num">{{withoutArchive}}</span><span class="tile-label">档案尚未上传</span></a>
          <a class="tile" href="{{unverifiedHref}}"><span class="tile-num">{{unverified}}</span><span class="tile-label">身份尚未认证</span></a>
          <a class="tile" href="/inbox"><span class="tile-num">{{waiting}}</span><span class="tile-label">待我审批</span></a>
        </div>
        <form method="get" action="/members" class="search-line">
          <input type="hidden" name="org" value="{{orgId}}">
          <label for="home-q" class="sr-only">查询团员</label>
          <input id="home-q" type="search" name="q" placeholder="输入姓名、身份证号或发展团员编号查询" maxlength="40">
          <button type="submit" class="button primary">查询</button>
        </form>
        """#

    static let members = #"""
        <h1>团员管理</h1>
        <form method="get" action="/members" class="filters" id="member-filters">
          <label>组织
            <select name="org" id="filter-org">
              {{#orgOptions}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{indent}}{{name}}</option>{{/orgOptions}}
            </select>
          </label>
          <label>档案状态
            <select name="status" id="filter-status">
              {{#statusOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/statusOptions}}
            </select>
          </label>
          <label class="grow">查询
            <input type="search" name="q" id="filter-q" value="{{q}}" placeholder="姓名 / 身份证号 / 发展团员编号" maxlength="40">
          </label>
          <button type="submit" class="button primary">查询</button>
        </form>
        <p class="muted">{{summary}}</p>
        <div class="table-wrap">
        <table class="table" id="member-table">
          <thead><tr><th>姓名</th><th>身份证号</th><th>发展团员编号</th><th>入团时间</th><th>所在团支部</th><th>档案状态</th><th>上传期限</th></tr></thead>
          <tbody>
          {{#rows}}
          <tr>
            <td><a href="{{href}}">{{name}}</a></td>
            <td class="mono">{{idNumber}}</td>
            <td class="mono">{{developmentNumber}}</td>
            <td>{{joinedOn}}</td>
            <td>{{branchName}}</td>
            <td><span class="badge badge-{{status}}">{{statusName}}</span></td>
            <td>{{dueDate}}{{#overdue}} <span class="badge badge-overdue">已逾期</span>{{/overdue}}</td>
          </tr>
          {{/rows}}
          {{^rows}}<tr><td colspan="7" class="empty">没有符合条件的团员</td></tr>{{/rows}}
          </tbody>
        </table>
        </div>
        {{#next}}<p><a class="button" href="{{next}}">下一页</a></p>{{/next}}
        """#

    static let member = #"""
        <p class="crumbs"><a href="{{backHref}}">团员管理</a> › {{name}}</p>
        <h1>{{name}} <span class="badge badge-{{status}}" id="archive-status">{{statusName}}</span></h1>
        <div class="alert alert-error" role="alert" id="action-error"{{^error}} hidden{{/error}}>{{error}}</div>
        {{#notice}}<div class="alert alert-warning" role="alert" id="rejection-notice">{{notice}}</div>{{/notice}}
        <div class="grid-2">
          <section class="card">
            <h2>团员信息</h2>
            <dl class="facts">
              <dt>姓名</dt><dd>{{name}}</dd>
              <dt>身份证号</dt><dd class="mono">{{idNumber}}</dd>
              <dt>发展团员编号</dt><dd class="mono">{{developmentNumber}}</dd>
              <dt>入团时间</dt><dd>{{joinedOn}}</dd>
              <dt>所在团支部</dt><dd>{{branchName}}</dd>
              <dt>电子档案</dt><dd>{{#required}}需要上传（2020年1月1日后入团）{{/required}}{{^required}}无需上传（2020年1月1日前入团）{{/required}}</dd>
              {{#dueDate}}<dt>上传期限</dt><dd>{{dueDate}}{{#overdue}} <span class="badge badge-overdue">已逾期</span>{{/overdue}}</dd>{{/dueDate}}
            </dl>
          </section>
          <section class="card">
            <h2>电子档案</h2>
            <dl class="facts">
              <dt>状态</dt><dd><span class="badge badge-{{status}}">{{statusName}}</span>{{#changeOpen}} <span class="badge">修改申请已提交</span>{{/changeOpen}}</dd>
              {{#verifiedVersion}}<dt>认证版本</dt><dd>第 {{verifiedVersion}} 版</dd>{{/verifiedVersion}}
              {{#currentVersion}}<dt>最新版本</dt><dd>第 {{currentVersion}} 版</dd>{{/currentVersion}}
            </dl>
            {{#reviewHref}}<p><a class="button primary" href="{{reviewHref}}" id="review-link">进入审批</a></p>{{/reviewHref}}
            {{#canUpload}}
            <form method="post" action="{{uploadAction}}" enctype="multipart/form-data" class="upload-form" id="upload-form" data-upload-api="{{uploadAPI}}" data-done="{{uploadDone}}">
              <input type="hidden" name="csrf" value="{{csrf}}">
              <label for="file">{{uploadLabel}}：选择《入团志愿书》PDF 文件</label>
              <p class="hint">须为{{pagesRule}}完整的电子版《入团志愿书》，不超过{{maxSize}}。</p>
              <input id="file" name="file" type="file" accept="application/pdf,.pdf" required>
              <div class="upload-actions">
                <button type="submit" class="button primary" id="upload-button">{{uploadLabel}}</button>
                <progress id="upload-progress" max="100" value="0" hidden></progress>
                <span id="upload-status" class="muted" aria-live="polite"></span>
              </div>
            </form>
            {{/canUpload}}
            {{#canWithdraw}}
            <form method="post" action="{{withdrawAction}}" class="inline-form" id="withdraw-form">
              <input type="hidden" name="csrf" value="{{csrf}}">
              <p class="hint">档案正在等待上级团委审批。如上传有误，可撤回后重新上传。</p>
              <button type="submit" class="button" id="withdraw-button">撤回</button>
            </form>
            {{/canWithdraw}}
            {{#canRequestChange}}
            <form method="post" action="{{changeAction}}" class="form" id="change-form">
              <input type="hidden" name="csrf" value="{{csrf}}">
              <label for="change-reason">申请修改已认证档案（须经上级团委批准）</label>
              <textarea id="change-reason" name="reason" rows="3" required maxlength="500" placeholder="请说明修改理由"></textarea>
              <button type="submit" class="button" id="change-button">提交修改申请</button>
            </form>
            {{/canRequestChange}}
          </section>
        </div>
        {{#hasChangeRequests}}
        <section class="card">
          <h2>修改申请</h2>
          <ul class="timeline">
          {{#changeRequests}}<li><span class="when">{{requestedAt}}</span> {{reason}} — <strong>{{statusName}}</strong>{{#decisionReason}}（{{decisionReason}}）{{/decisionReason}}</li>{{/changeRequests}}
          </ul>
        </section>
        {{/hasChangeRequests}}
        <section class="card">
          <h2>历次上传</h2>
          <div class="table-wrap">
          <table class="table" id="versions">
            <thead><tr><th>版本</th><th>上传时间</th><th>上传组织</th><th>上传人</th><th>页数</th><th>大小</th><th>SHA-256</th><th>下载</th></tr></thead>
            <tbody>
            {{#versions}}
            <tr>
              <td>第 {{version}} 版{{#verified}} <span class="badge badge-verified">已认证</span>{{/verified}}</td>
              <td>{{uploadedAt}}</td><td>{{orgName}}</td><td>{{uploaderName}}</td><td>{{pages}}</td><td>{{size}}</td>
              <td class="mono" title="{{sha256}}">{{shortHash}}</td>
              <td><a href="{{downloadHref}}" class="download" download>下载</a></td>
            </tr>
            {{/versions}}
            {{^versions}}<tr><td colspan="8" class="empty">尚未上传电子档案</td></tr>{{/versions}}
            </tbody>
          </table>
          </div>
        </section>
        <section class="card">
          <h2>审批记录</h2>
          <ul class="timeline" id="decisions">
          {{#decisions}}<li><span class="when">{{at}}</span> <strong>{{kindName}}</strong>{{#version}}（第 {{version}} 版）{{/version}} {{actorName}}{{#orgName}}（{{orgName}}）{{/orgName}}{{#reason}}：<span class="reason">{{reason}}</span>{{/reason}}</li>{{/decisions}}
          {{^decisions}}<li class="muted">暂无审批记录</li>{{/decisions}}
          </ul>
        </section>
        """#

    static let inbox = #"""
        <h1>待办事项</h1>
        <nav class="tabs" aria-label="待办类型">
          {{#tabs}}<a href="{{href}}"{{#active}} class="active" aria-current="page"{{/active}}>{{label}}</a>{{/tabs}}
        </nav>
        <div class="table-wrap">
        <table class="table" id="inbox-table">
          <thead><tr><th>类型</th><th>团员</th><th>身份证号</th><th>发展团员编号</th><th>所在团支部</th><th>提交时间</th><th></th></tr></thead>
          <tbody>
          {{#items}}
          <tr>
            <td>{{typeName}}</td>
            <td>{{name}}</td>
            <td class="mono">{{idNumber}}</td>
            <td class="mono">{{developmentNumber}}</td>
            <td>{{branchName}}</td>
            <td>{{since}}</td>
            <td><a class="button small primary" href="{{href}}">审批</a></td>
          </tr>
          {{/items}}
          {{^items}}<tr><td colspan="7" class="empty">暂无待办事项</td></tr>{{/items}}
          </tbody>
        </table>
        </div>
        {{#next}}<p><a class="button" href="{{next}}">下一页</a></p>{{/next}}
        """#

    static let review = #"""
        <p class="crumbs"><a href="/inbox">待办事项</a> › {{typeName}}</p>
        <h1>{{typeName}}：{{name}} <span class="badge badge-{{status}}" id="archive-status">{{statusName}}</span></h1>
        <div class="alert alert-error" role="alert" id="action-error"{{^error}} hidden{{/error}}>{{error}}</div>
        {{#closed}}<div class="alert alert-info" role="status" id="closed-notice">该档案当前状态为“{{statusName}}”，没有待审批的事项。</div>{{/closed}}
        <div class="review">
          <aside class="card review-info">
            <h2>团员信息</h2>
            <dl class="facts">
              <dt>姓名</dt><dd>{{name}}</dd>
              <dt>身份证号</dt><dd class="mono">{{idNumber}}</dd>
              <dt>发展团员编号</dt><dd class="mono">{{developmentNumber}}</dd>
              <dt>入团时间</dt><dd>{{joinedOn}}</dd>
              <dt>所在团支部</dt><dd>{{branchName}}</dd>
            </dl>
            {{#version}}
            <h2>待审文件</h2>
            <dl class="facts">
              <dt>版本</dt><dd>第 {{version}} 版</dd>
              <dt>上传时间</dt><dd>{{uploadedAt}}</dd>
              <dt>上传组织</dt><dd>{{orgName}}</dd>
              <dt>页数</dt><dd>{{pages}} 页</dd>
              <dt>大小</dt><dd>{{size}}</dd>
            </dl>
            <p><a href="{{downloadHref}}" class="download" download>下载 PDF</a> · <a href="{{memberHref}}">查看档案历史</a></p>
            {{/version}}
            {{#changeRequest}}
            <h2>修改申请</h2>
            <p class="reason" id="change-reason">{{reason}}</p>
            <p class="muted">提交时间：{{requestedAt}}</p>
            {{/changeRequest}}
            {{#canDecide}}
            <form method="post" action="{{approveAction}}" class="inline-form" id="approve-form">
              <input type="hidden" name="csrf" value="{{csrf}}">
              <button type="submit" class="button primary block" id="approve-button">{{approveLabel}}</button>
            </form>
            <form method="post" action="{{rejectAction}}" class="form" id="reject-form">
              <input type="hidden" name="csrf" value="{{csrf}}">
              <label for="reject-reason">{{rejectLabel}}理由（必填）</label>
              <textarea id="reject-reason" name="reason" rows="3" required maxlength="500" placeholder="请写明不通过的理由，例如：第3页字迹不清晰">{{reason}}</textarea>
              <button type="submit" class="button danger block" id="reject-button">{{rejectLabel}}</button>
            </form>
            {{/canDecide}}
          </aside>
          <section class="card review-pages">
            <h2>页面预览{{#pages}}（共 {{pages}} 页）{{/pages}}</h2>
            <div class="thumbs" id="thumbs">
            {{#thumbnails}}
              <a class="thumb" href="{{full}}" target="_blank" rel="noopener">
                <img src="{{src}}" loading="lazy" width="200" height="283" alt="第{{page}}页">
                <span>第 {{page}} 页</span>
              </a>
            {{/thumbnails}}
            </div>
          </section>
        </div>
        """#

    static let mine = #"""
        <h1>我的电子档案</h1>
        {{#required}}
        <div class="card">
          <dl class="facts">
            <dt>姓名</dt><dd>{{name}}</dd>
            <dt>发展团员编号</dt><dd class="mono">{{developmentNumber}}</dd>
            <dt>入团时间</dt><dd>{{joinedOn}}</dd>
            <dt>所在团支部</dt><dd>{{branchName}}</dd>
            <dt>档案状态</dt><dd><span class="badge badge-{{status}}" id="archive-status">{{statusName}}</span></dd>
            {{#identityVerified}}<dt>团员身份</dt><dd>已认证</dd>{{/identityVerified}}
            {{#dueDate}}<dt>上传期限</dt><dd>{{dueDate}}{{#overdue}} <span class="badge badge-overdue">已逾期</span>{{/overdue}}</dd>{{/dueDate}}
          </dl>
          {{#rejectionReason}}<div class="alert alert-warning" role="alert" id="rejection-reason">上级团组织审核未通过，理由：{{rejectionReason}}。团支部将重新上传。</div>{{/rejectionReason}}
          {{#pendingNote}}<p class="muted">电子档案已由团支部上传，正在等待上级团委审批。</p>{{/pendingNote}}
          {{#notUploadedNote}}<p class="muted">团支部尚未上传你的电子版《入团志愿书》。</p>{{/notUploadedNote}}
          {{#downloadHref}}<p><a class="button primary" href="{{downloadHref}}" id="download-mine" download>下载《入团志愿书》</a></p>{{/downloadHref}}
        </div>
        {{/required}}
        {{^required}}
        <div class="card"><p>你于{{joinedOn}}入团，2020年1月1日前入团的团员无需上传电子档案。</p></div>
        {{/required}}
        """#

    static let error = #"""
        <div class="card narrow error-card">
          <p class="error-code">{{code}}</p>
          <h1>{{title}}</h1>
          <p id="error-message">{{message}}</p>
          <p><a class="button" href="{{home}}">返回首页</a></p>
        </div>
        """#
}
