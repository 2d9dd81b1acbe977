/* live.js — keeps `lrsweep serve`'s page of a sweep current while the
 * sweep runs.  The page is the report's (report_html.c, page.js); every
 * PERIOD_MS this asks /api/sweeps/NAME/status (a few counts, cheap for the
 * server) and only when its answer changed fetches the page again, puts
 * its header, tables and data blocks in place of the old ones and redraws
 * the charts with window.lrsweepRender.  Nothing is parsed as script: the
 * fetched page goes through DOMParser (inert), the data blocks are copied
 * as text, the header and tables were escaped by the server.  The request
 * keeps the page's query (?token=, ?top=).  A page that took the server
 * long to write (a sweep of 100,000 trials: about a second) is fetched
 * again only after thirty times as long, so a browser keeps the server
 * busy at most a thirtieth of the time; the live line still counts every
 * poll.
 * documentElement's data-live-updates counts the refreshes, for the
 * browser tests. */
(function () {
  'use strict';
  var PERIOD_MS = 2000;
  var query = location.search;
  var statusUrl = location.pathname.replace(/^\/sweeps\//, '/api/sweeps/') + '/status' + query;
  var last = null, updates = 0, pageMs = 0;
  var line = document.createElement('p');
  line.id = 'live';
  line.className = 'note';
  document.body.insertBefore(line, document.body.firstChild);
  function say(text) { line.textContent = text; }
  function stamp() { return new Date().toTimeString().slice(0, 8); }

  function swap(fresh) {
    var oldHeader = document.querySelector('header'), newHeader = fresh.querySelector('header');
    if (oldHeader && newHeader) oldHeader.replaceWith(document.adoptNode(newHeader));
    fresh.querySelectorAll('section[id]:not(.chart)').forEach(function (s) {
      var old = document.getElementById(s.id);
      if (old) old.replaceWith(document.adoptNode(s));
    });
    fresh.querySelectorAll('script[type="application/json"][id]').forEach(function (s) {
      var old = document.getElementById(s.id);
      if (old) old.textContent = s.textContent;
    });
    window.lrsweepRender();
    updates++;
    document.documentElement.setAttribute('data-live-updates', String(updates));
  }

  function refresh(key) {
    var started = Date.now();
    return fetch(location.pathname + query, {cache: 'no-store', credentials: 'same-origin'})
      .then(function (r) {
        if (!r.ok) throw new Error('the page answered ' + r.status);
        return r.text();
      })
      .then(function (html) {
        pageMs = Date.now() - started;
        swap(new DOMParser().parseFromString(html, 'text/html'));
        last = key;
      });
  }

  function poll() {
    fetch(statusUrl, {cache: 'no-store', credentials: 'same-origin'})
      .then(function (r) {
        if (!r.ok) throw new Error('status answered ' + r.status);
        return r.text();
      })
      .then(function (key) {
        var s = JSON.parse(key);
        var shown = 'Live: ' + s.recorded + ' of ' + s.budget + ' trials recorded, ' +
                    s.running + ' running' + (s.ended ? ', ended (' + s.ended + ')' : '') +
                    '; checked ' + stamp() + '.';
        if (last === null) last = key;   /* the page as served is this state */
        if (key === last) { say(shown); return null; }
        return refresh(key).then(function () { say(shown); });
      })
      .catch(function (e) { say('Live: ' + e.message + ' at ' + stamp() + '; trying again.'); })
      .then(function () { setTimeout(poll, Math.max(PERIOD_MS, 30 * pageMs)); });
  }
  poll();
})();
