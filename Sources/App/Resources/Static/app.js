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
      var maxBytes = parseInt(form.getAttribute('data-max-bytes'), 10);
      if (maxBytes > 0 && input.files[0].size > maxBytes) {
        fail('文件超过' + form.getAttribute('data-max-size') + '，请压缩后重新上传');
        return;
      }
      var data = new FormData();
      data.append('file', input.files[0]);
      var xhr = new XMLHttpRequest();
      xhr.open('PUT', form.getAttribute('data-upload-api'));
      xhr.setRequestHeader('Accept', 'application/json');
      // The API asks a cookie-authenticated call for the page's CSRF token.
      var token = form.querySelector('input[name="csrf"]');
      if (token) { xhr.setRequestHeader('X-CSRF-Token', token.value); }
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
