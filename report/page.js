/* page.js — draws lrsweep report's charts from the page's JSON blocks
 * (coordinator/report_html.c writes them; report.h says what each holds).
 * Text from the data reaches the page only as chart labels and
 * textContent, never as markup.  Charts that would draw more than
 * MAX_POINTS points draw every k-th trial (the best always) and say so in
 * their caption.  window.lrsweepCharts tells the browser tests what each
 * chart drew: {datasets, points: [per dataset], labels}.  The drawing is
 * window.lrsweepRender, run once here; `lrsweep serve`'s live page
 * (report/live.js) runs it again after it has put fresh blocks in. */
window.lrsweepRender = function () {
  'use strict';
  var MAX_POINTS = 20000;
  function data(id) { return JSON.parse(document.getElementById('d-' + id).textContent); }
  var H = data('header'), T = data('trials'), G = data('groups'), C = data('curves'),
      P = data('parallel');
  var charts = {};
  window.lrsweepCharts = charts;
  var dark = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches;
  Chart.defaults.color = dark ? '#d0d0d0' : '#333';
  Chart.defaults.borderColor = dark ? 'rgba(255,255,255,0.12)' : 'rgba(0,0,0,0.1)';
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  var palette = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1',
                 '#ff9da7', '#9c755f', '#bab0ac'];
  function colour(i, alpha) {
    var c = palette[i % palette.length];
    var a = Math.round((alpha === undefined ? 1 : alpha) * 255).toString(16);
    return c + (a.length < 2 ? '0' + a : a);
  }
  function note(id, text) { document.getElementById('note-' + id).textContent = text; }
  function draw(id, config) {
    var sets = config.data.datasets;
    charts[id] = {
      datasets: sets.length,
      points: sets.map(function (d) { return d.data.length; }),
      labels: sets.map(function (d) { return d.label; })
    };
    var canvas = document.getElementById('c-' + id);
    var old = Chart.getChart(canvas);
    if (old) old.destroy();
    new Chart(canvas, config);
  }
  var maximize = H.goal === 'maximize';
  var metric = H.metric || 'score';
  var n = T.trial.length;
  var COMPLETE = T.statuses.indexOf('complete');
  /* Scores spread over more than two decades (losses of diverging
   * configs beside good ones) are drawn on a log axis. */
  var sLo = Infinity, sHi = -Infinity;
  for (var i = 0; i < n; i++)
    if (T.status[i] === COMPLETE && T.score[i] !== null) {
      sLo = Math.min(sLo, T.score[i]);
      sHi = Math.max(sHi, T.score[i]);
    }
  var logScores = sLo > 0 && sHi / sLo >= 100;
  function scoreAxis() {
    return {type: logScores ? 'logarithmic' : 'linear',
            title: {display: true, text: metric + (logScores ? ' (log axis)' : '') +
                                         ' — ' + H.goal}};
  }

  /* The trials drawn: all, or every k-th and the best when there are more. */
  var best = -1;
  for (var i = 0; i < n; i++)
    if (T.status[i] === COMPLETE && T.score[i] !== null &&
        (best < 0 || (maximize ? T.score[i] > T.score[best] : T.score[i] < T.score[best])))
      best = i;
  var stride = Math.max(1, Math.ceil(n / MAX_POINTS));
  function drawn(i) { return i % stride === 0 || i === best; }
  var sampled = stride > 1 ? 'Drawing every ' + stride + 'th of ' + n.toLocaleString('en') +
      ' trials (and the best): the page would slow down with all of them.' : '';

  /* 2. history */
  (function () {
    var pts = [], run = [], cur = null;
    for (var i = 0; i < n; i++) {
      if (T.status[i] !== COMPLETE || T.score[i] === null) continue;
      var s = T.score[i];
      if (cur === null || (maximize ? s > cur : s < cur)) cur = s;
      if (!drawn(i)) continue;
      pts.push({x: T.trial[i], y: s});
      run.push({x: T.trial[i], y: cur});
    }
    if (!pts.length) note('history', 'No complete trial yet.');
    else if (sampled) note('history', sampled);
    draw('history', {
      type: 'scatter',
      data: {datasets: [
        {label: metric, data: pts, parsing: false, pointRadius: 2, backgroundColor: colour(0, 0.6)},
        {label: 'best so far', data: run, parsing: false, showLine: true, stepped: true,
         pointRadius: 0, borderColor: colour(2), borderWidth: 2}
      ]},
      options: {scales: {x: {title: {display: true, text: 'trial'}},
                         y: scoreAxis()}}
    });
  })();

  /* 3. lr against score, coloured by one of the trial's choices */
  function lrChart(id, field, names) {
    var lo = sLo, hi = sHi, anyLr = false;
    for (var i = 0; i < n; i++)
      if (T.lr[i] !== null && T.lr[i] > 0) anyLr = true;
    if (!anyLr) {
      note(id, n ? 'This sweep has no learning rate parameter.' : 'No recorded trial yet.');
      draw(id, {type: 'scatter', data: {datasets: []}});
      return;
    }
    var span = hi > lo ? hi - lo : Math.abs(hi) || 1;
    var band = lo === Infinity ? 0
             : logScores ? (maximize ? lo / 2 : hi * 2)
             : maximize ? lo - 0.08 * span : hi + 0.08 * span;
    var groups = {}, order = [], lost = {};
    for (var i = 0; i < n; i++) {
      if (!drawn(i) || T.lr[i] === null || !(T.lr[i] > 0)) continue;
      var st = T.statuses[T.status[i]];
      if (st === 'running' || st === 'pending') continue;
      if (T.status[i] === COMPLETE && T.score[i] !== null) {
        var g = T[field][i] >= 0 ? names[T[field][i]] : '(none)';
        if (!groups[g]) { groups[g] = []; order.push(g); }
        groups[g].push({x: T.lr[i], y: T.score[i]});
      } else {
        (lost[st] = lost[st] || []).push({x: T.lr[i], y: band});
      }
    }
    var sets = order.map(function (g, k) {
      return {label: g, data: groups[g], parsing: false, pointRadius: 3,
              backgroundColor: colour(k, 0.7)};
    });
    var styles = {diverged: 'crossRot', failed: 'rectRot', pruned: 'triangle'};
    Object.keys(lost).sort().forEach(function (st) {
      sets.push({label: st + ' (no score: band at the worse end)', data: lost[st], parsing: false,
                 pointStyle: styles[st] || 'star', pointRadius: 4,
                 borderColor: st === 'pruned' ? '#888' : '#c0392b', backgroundColor: 'transparent'});
    });
    if (sampled) note(id, sampled);
    draw(id, {type: 'scatter', data: {datasets: sets},
              options: {scales: {x: {type: 'logarithmic', title: {display: true, text: 'lr'}},
                                 y: scoreAxis()}}});
  }
  lrChart('lr-scheduler', 'scheduler', T.schedulers);
  lrChart('lr-optimizer', 'optimizer', T.optimizers);

  /* 4. distributions: IQR box, median and best per group */
  function distChart(id, groups) {
    var labels = groups.map(function (g) {
      return g.label + ' (n=' + g.complete + '/' + g.count + ')';
    });
    function pick(k) { return groups.map(function (g) { return g[k]; }); }
    if (!groups.length) note(id, n ? 'No trial has this parameter.' : 'No recorded trial yet.');
    draw(id, {
      type: 'bar',
      data: {labels: labels, datasets: [
        {label: 'q25–q75', data: groups.map(function (g) {
          return g.q25 === null ? null : [g.q25, g.q75 === g.q25 ? g.q25 + 1e-12 : g.q75];
        }), backgroundColor: colour(0, 0.45), borderColor: colour(0), borderWidth: 1},
        {type: 'line', label: 'median', data: pick('median'), showLine: false, pointRadius: 7,
         pointStyle: 'line', borderColor: colour(1), borderWidth: 3},
        {type: 'line', label: 'best', data: pick('best'), showLine: false, pointRadius: 4,
         pointStyle: 'star', borderColor: colour(2), backgroundColor: colour(2)}
      ]},
      options: {scales: {y: scoreAxis()}}
    });
  }
  distChart('dist-scheduler', G.scheduler);
  distChart('dist-optimizer', G.optimizer);

  /* 5. learning curves and lr schedules of the top trials */
  (function () {
    var loss = [], lrs = [], allPositive = true, k = 0;
    C.forEach(function (c) {
      var faint = c.status === 'pruned';
      var name = (faint ? 'pruned ' : '#' + c.rank + ' ') + 'trial ' + c.trial;
      var col = colour(faint ? 9 : k++, faint ? 0.35 : 1);
      function xy(ys) {
        var out = [];
        for (var i = 0; i < c.epoch.length; i++)
          if (ys[i] !== null) out.push({x: c.epoch[i], y: ys[i]});
        return out;
      }
      var val = xy(c.val_loss), train = xy(c.train_loss), lr = xy(c.lr);
      if (val.length) loss.push({label: name + ' val', data: val, borderColor: col,
                                 pointRadius: 0, borderWidth: faint ? 1 : 2});
      if (train.length) loss.push({label: name + ' train', data: train, borderColor: col,
                                   borderDash: [5, 4], pointRadius: 0, borderWidth: 1});
      if (lr.length) {
        lr.forEach(function (p) { if (!(p.y > 0)) allPositive = false; });
        lrs.push({label: name, data: lr, borderColor: col, pointRadius: 0,
                  borderWidth: faint ? 1 : 2});
      }
    });
    if (!loss.length) note('curves', 'No per-epoch losses recorded for these trials.');
    if (!lrs.length) note('schedules', 'No per-epoch learning rates recorded for these trials.');
    var common = {parsing: false, plugins: {legend: {display: loss.length <= 24}}};
    draw('curves', {type: 'line', data: {datasets: loss},
                    options: Object.assign({}, common, {scales: {
                      x: {type: 'linear', title: {display: true, text: 'epoch'}},
                      y: {title: {display: true, text: 'loss'}}}})});
    draw('schedules', {type: 'line', data: {datasets: lrs},
                       options: Object.assign({}, common, {scales: {
                         x: {type: 'linear', title: {display: true, text: 'epoch'}},
                         y: {type: allPositive ? 'logarithmic' : 'linear',
                             title: {display: true, text: 'lr'}}}})});
  })();

  /* 6. parallel coordinates over the parameters the best trials have */
  (function () {
    var keys = [], seen = {};
    P.rows.forEach(function (r) {
      Object.keys(r.params).forEach(function (k) {
        if (!seen[k]) { seen[k] = true; keys.push(k); }
      });
    });
    var axes = keys.map(function (k) {
      var vals = P.rows.map(function (r) { return r.params[k]; })
                       .filter(function (v) { return v !== undefined && v !== null; });
      var numeric = vals.every(function (v) { return typeof v === 'number'; });
      if (numeric) {
        var lo = Math.min.apply(null, vals), hi = Math.max.apply(null, vals);
        var log = lo > 0 && hi / lo >= 100;
        return {key: k, numeric: true, lo: lo, hi: hi, log: log};
      }
      var cats = [];
      vals.forEach(function (v) {
        var s = typeof v === 'string' ? v : JSON.stringify(v);
        if (cats.indexOf(s) < 0) cats.push(s);
      });
      cats.sort();
      return {key: k, numeric: false, cats: cats};
    });
    function scaled(a, v) {
      if (v === undefined || v === null) return null;
      if (!a.numeric) {
        var s = typeof v === 'string' ? v : JSON.stringify(v);
        return a.cats.length < 2 ? 0.5 : a.cats.indexOf(s) / (a.cats.length - 1);
      }
      if (a.hi === a.lo) return 0.5;
      return a.log ? (Math.log(v) - Math.log(a.lo)) / (Math.log(a.hi) - Math.log(a.lo))
                   : (v - a.lo) / (a.hi - a.lo);
    }
    var m = P.rows.length;
    var sets = P.rows.map(function (r, i) {
      return {label: 'trial ' + r.trial, data: axes.map(function (a) { return scaled(a, r.params[a.key]); }),
              borderColor: colour(0, 1 - 0.85 * (m > 1 ? i / (m - 1) : 0)), pointRadius: 0,
              borderWidth: 1, spanGaps: false};
    }).reverse();   /* the best drawn last, on top */
    var ranges = axes.map(function (a) {
      return a.numeric ? a.key + ' ' + a.lo.toPrecision(3) + '…' + a.hi.toPrecision(3) +
                         (a.log ? ' (log)' : '')
                       : a.key + ': ' + a.cats.join(' | ');
    });
    note('parallel', !m ? 'No complete trial yet.'
                        : (P.shown < P.of ? 'The best ' + P.shown + ' of ' + P.of +
                           ' complete trials.  ' : '') + 'Axes: ' + ranges.join('; ') + '.');
    draw('parallel', {type: 'line',
                      data: {labels: axes.map(function (a) { return a.key; }), datasets: sets},
                      options: {plugins: {legend: {display: false}},
                                scales: {y: {min: 0, max: 1, ticks: {display: false}}}}});
  })();
  document.documentElement.setAttribute('data-rendered', 'yes');
};
window.lrsweepRender();
