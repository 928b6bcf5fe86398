/// The pages' stylesheet and script, served from `/static/` (the Content-Security-Policy allows
/// scripts and styles from the site itself only).
enum PageAssets {
    static let css = #"""
        :root {
          --red: #c8102e; --red-dark: #9e0c24; --ink: #1f2329; --muted: #646a73; --line: #dee0e3;
          --bg: #f5f6f7; --card: #fff; --green: #1a7f37; --amber: #a15c00; --blue: #1456c0;
        }
        * { box-sizing: border-box; }
        html { -webkit-text-size-adjust: 100%; }
        body {
          margin: 0; background: var(--bg); color: var(--ink); line-height: 1.6;
          font: 15px/1.6 -apple-system, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif;
        }
        a { color: var(--blue); }
        h1 { font-size: 1.5rem; margin: 0 0 .75rem; }
        h2 { font-size: 1.1rem; margin: 0 0 .75rem; }
        .topbar { background: var(--red); color: #fff; }
        .topbar-inner { max-width: 1240px; margin: 0 auto; padding: .5rem 1rem; display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.25rem; }
        .brand { color: #fff; text-decoration: none; font-weight: 600; font-size: 1.05rem; display: flex; align-items: center; gap: .5rem; }
        .brand-mark { display: inline-flex; width: 1.9rem; height: 1.9rem; border-radius: 50%; background: #fff; color: var(--red); align-items: center; justify-content: center; font-weight: 700; }
        .nav { display: flex; flex-wrap: wrap; gap: .25rem; flex: 1; }
        .nav a, .user a { color: #fff; text-decoration: none; padding: .3rem .65rem; border-radius: 4px; }
        .nav a.active, .nav a:hover, .user a.active, .user a:hover { background: rgba(255, 255, 255, .18); }
        .user { display: flex; align-items: center; gap: .5rem; flex-wrap: wrap; }
        .user-name { font-weight: 600; }
        .inline { display: inline; margin: 0; }
        .link-button { background: none; border: 1px solid rgba(255, 255, 255, .6); color: #fff; padding: .25rem .65rem; border-radius: 4px; cursor: pointer; font: inherit; }
        .link-button:hover { background: rgba(255, 255, 255, .18); }
        .container { max-width: 1240px; margin: 0 auto; padding: 1.25rem 1rem 2rem; }
        .footer { text-align: center; color: var(--muted); font-size: .85rem; padding: 1rem; }
        .card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.25rem; margin-bottom: 1rem; }
        .narrow { max-width: 460px; margin: 1.5rem auto; }
        .login-wrap { display: flex; justify-content: center; padding-top: 2rem; }
        .login-card { width: 100%; max-width: 400px; }
        .muted { color: var(--muted); }
        .hint { color: var(--muted); font-size: .88rem; margin: .25rem 0 .5rem; }
        .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .92em; }
        .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
        .form label, .filters label { display: block; font-weight: 600; margin: .6rem 0 .25rem; }
        input[type=text], input[type=password], input[type=search], select, textarea {
          width: 100%; font: inherit; padding: .45rem .6rem; border: 1px solid #c9cdd4; border-radius: 4px; background: #fff;
        }
        textarea { resize: vertical; }
        input[type=file] { max-width: 100%; margin: .25rem 0 .5rem; }
        .button {
          display: inline-block; font: inherit; padding: .45rem 1rem; border-radius: 4px; border: 1px solid #c9cdd4;
          background: #fff; color: var(--ink); cursor: pointer; text-decoration: none; line-height: 1.4; white-space: nowrap;
        }
        .button:hover { border-color: #8f959e; }
        .button.primary { background: var(--red); border-color: var(--red); color: #fff; }
        .button.primary:hover { background: var(--red-dark); }
        .button.danger { background: #fff; border-color: var(--red); color: var(--red); }
        .button.small { padding: .2rem .65rem; font-size: .9rem; }
        .button.block { display: block; width: 100%; margin-top: .75rem; }
        .button:disabled { opacity: .6; cursor: progress; }
        .alert { padding: .65rem .9rem; border-radius: 6px; margin: 0 0 1rem; border: 1px solid; }
        .alert[hidden] { display: none; }
        .alert-error { background: #fff0f0; border-color: #f3b4b4; color: #a8071a; }
        .alert-warning { background: #fff8e6; border-color: #f5d48f; color: #7a4a00; }
        .alert-success { background: #effaf1; border-color: #a6dcb2; color: #135d27; }
        .alert-info { background: #eef4ff; border-color: #b3cdf5; color: #1d3f7a; }
        .banner a { color: inherit; font-weight: 600; }
        .badge { display: inline-block; padding: .05rem .5rem; border-radius: 10px; font-size: .82rem; background: #eef0f2; color: var(--muted); white-space: nowrap; vertical-align: middle; font-weight: 500; }
        .badge-not_uploaded { background: #f2f3f5; color: #4e5969; }
        .badge-pending { background: #fff3d6; color: var(--amber); }
        .badge-verified { background: #e3f6e8; color: var(--green); }
        .badge-rejected { background: #ffe5e5; color: #b42318; }
        .badge-not_required { background: #f2f3f5; color: #86909c; }
        .badge-overdue { background: var(--red); color: #fff; }
        .page-head { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: .75rem; }
        .org-switcher { display: flex; align-items: center; gap: .5rem; }
        .org-switcher select { width: auto; max-width: 18rem; }
        .org-switcher label { white-space: nowrap; }
        .org-line { margin: 0 0 1rem; }
        .tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: .75rem; margin-bottom: 1rem; }
        .tile { display: flex; flex-direction: column; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .9rem 1rem; text-decoration: none; color: var(--ink); }
        .tile:hover { border-color: var(--red); }
        .tile-num { font-size: 1.8rem; font-weight: 700; color: var(--red); line-height: 1.2; }
        .tile-label { color: var(--muted); }
        .search-line { display: flex; gap: .5rem; }
        .search-line input { flex: 1; }
        .filters { display: flex; flex-wrap: wrap; gap: 0 .75rem; align-items: flex-end; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .25rem 1rem .9rem; margin-bottom: .75rem; }
        .filters label { flex: 1 1 12rem; }
        .filters label.grow { flex: 2 1 16rem; }
        .filters .button { margin-top: .5rem; }
        .table-wrap { overflow-x: auto; background: #fff; border: 1px solid var(--line); border-radius: 8px; margin-bottom: 1rem; }
        .card .table-wrap { border: 0; margin: 0; }
        .table { width: 100%; border-collapse: collapse; min-width: 720px; }
        .table th, .table td { padding: .55rem .7rem; border-bottom: 1px solid #eef0f2; text-align: left; vertical-align: top; }
        .table th { background: #fafbfc; font-weight: 600; white-space: nowrap; color: #4e5969; font-size: .9rem; }
        .table td { white-space: nowrap; }
        .table tr:last-child td { border-bottom: 0; }
        .table .empty { text-align: center; color: var(--muted); padding: 1.5rem; }
        .crumbs { margin: 0 0 .5rem; color: var(--muted); }
        .grid-2 { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
        .grid-2 > .card { margin-bottom: 0; }
        .grid-2 + .card, .grid-2 { margin-bottom: 1rem; }
        .facts { display: grid; grid-template-columns: 7.5rem 1fr; gap: .35rem .75rem; margin: 0 0 .75rem; }
        .facts dt { color: var(--muted); }
        .facts dd { margin: 0; overflow-wrap: anywhere; }
        .facts dd.mono { white-space: nowrap; }
        .upload-form { border-top: 1px dashed var(--line); padding-top: .75rem; margin-top: .5rem; }
        .upload-form label { font-weight: 600; display: block; }
        .upload-actions { display: flex; align-items: center; gap: .75rem; flex-wrap: wrap; }
        progress { width: 12rem; height: 1rem; }
        progress[hidden] { display: none; }
        .inline-form { margin: .5rem 0; }
        .timeline { list-style: none; padding: 0; margin: 0; }
        .timeline li { padding: .4rem 0; border-bottom: 1px solid #f0f1f2; }
        .timeline li:last-child { border-bottom: 0; }
        .when { color: var(--muted); font-size: .88rem; margin-right: .35rem; }
        .reason { white-space: pre-wrap; }
        .tabs { display: flex; gap: .25rem; border-bottom: 1px solid var(--line); margin-bottom: .75rem; flex-wrap: wrap; }
        .tabs a { padding: .45rem .9rem; text-decoration: none; color: var(--muted); border-bottom: 2px solid transparent; }
        .tabs a.active { color: var(--red); border-bottom-color: var(--red); font-weight: 600; }
        .review { display: grid; grid-template-columns: minmax(260px, 320px) 1fr; gap: 1rem; align-items: start; }
        .review .card { margin-bottom: 0; }
        .review-info { position: sticky; top: 1rem; }
        .thumbs { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: .75rem; }
        .thumb { display: flex; flex-direction: column; align-items: center; text-decoration: none; color: var(--muted); font-size: .85rem; }
        .thumb img { width: 100%; height: auto; aspect-ratio: 200 / 283; object-fit: contain; background: #f0f1f2; border: 1px solid var(--line); border-radius: 4px; }
        .thumb:hover img { border-color: var(--red); }
        .error-card { text-align: center; }
        .error-code { font-size: 3rem; font-weight: 700; color: var(--red); margin: 0; line-height: 1.2; }
        @media (max-width: 860px) {
          .grid-2, .review { grid-template-columns: 1fr; }
          .review-info { position: static; }
        }
        @media (max-width: 560px) {
          body { font-size: 14px; }
          .topbar-inner { padding: .5rem .75rem; gap: .35rem .75rem; }
          .nav { order: 3; flex-basis: 100%; }
          .nav a { padding: .25rem .5rem; }
          .user { margin-left: auto; }
          .container { padding: 1rem .6rem 1.5rem; }
          .card { padding: .85rem .9rem; }
          .facts { grid-template-columns: 6rem 1fr; }
          .thumbs { grid-template-columns: repeat(2, 1fr); }
          .search-line { flex-direction: column; }
          .org-switcher { width: 100%; }
          .org-switcher select { flex: 1; max-width: none; }
        }
        """#

    /// Progressive enhancement only: every form works without it.
    static let js = #"""
        (function () {
          'use strict';
          function ready(fn) {
            if (document.readyState !== 'loading') { fn(); } else { document.addEventListener('DOMContentLoaded', fn); }
          }
          ready(function () {
            // Upload with a progress bar: PUT the file to the API, which answers with JSON.
            var form = document.getElementById('upload-form');
            if (!form || !window.FormData || !window.XMLHttpRequest) { return; }
            form.addEventListener('submit', function (event) {
              var input = document.getElementById('file');
              if (!input || !input.files || input.files.length !== 1) { return; }
              event.preventDefault();
              var progress = document.getElementById('upload-progress');
              var status = document.getElementById('upload-status');
              var button = document.getElementById('upload-button');
              var errorBox = document.getElementById('action-error');
              function fail(message) {
                errorBox.textContent = message;
                errorBox.hidden = false;
                progress.hidden = true;
                status.textContent = '';
                button.disabled = false;
              }
              var data = new FormData();
              data.append('file', input.files[0]);
              var xhr = new XMLHttpRequest();
              xhr.open('PUT', form.getAttribute('data-upload-api'));
              xhr.setRequestHeader('Accept', 'application/json');
              xhr.upload.addEventListener('progress', function (e) {
                if (e.lengthComputable) {
                  progress.max = e.total;
                  progress.value = e.loaded;
                  status.textContent = '已上传 ' + Math.round(e.loaded * 100 / e.total) + '%';
                }
              });
              xhr.addEventListener('load', function () {
                if (xhr.status === 201) {
                  status.textContent = '上传成功，正在刷新…';
                  window.location.assign(form.getAttribute('data-done'));
                  return;
                }
                var message = '上传失败（HTTP ' + xhr.status + '），请重试';
                try {
                  var body = JSON.parse(xhr.responseText);
                  if (body && body.error && body.error.message) { message = body.error.message; }
                } catch (ignored) { /* not JSON */ }
                if (xhr.status === 401) { message = '登录已失效，请重新登录'; }
                fail(message);
              });
              xhr.addEventListener('error', function () { fail('网络错误，上传未完成，请重试'); });
              errorBox.hidden = true;
              progress.value = 0;
              progress.hidden = false;
              button.disabled = true;
              status.textContent = '正在上传…';
              xhr.send(data);
            });
          });
        })();
        """#
}
