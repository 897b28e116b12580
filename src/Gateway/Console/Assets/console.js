// The operators' console's only script (served by the console itself): the overview's live updates from
// /overview/events (server-sent events, one sample a second) and its charts, drawn as SVG. No other origin is used,
// and nothing received is inserted as HTML: text goes in with textContent.
'use strict';

(function () {
  const root = document.getElementById('overview');
  if (!root) {
    return;
  }

  const actions = ['accept', 'reject', 'discard', 'bounce', 'defer'];
  const kept = 120;
  const samples = [];
  const svgNs = 'http://www.w3.org/2000/svg';

  const number = (value, digits) => {
    const n = Number(value || 0);
    return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  };

  const setField = (name, text) => {
    for (const element of root.querySelectorAll('[data-field="' + name + '"]')) {
      element.textContent = text;
    }
  };

  const rateOf = (sample, action) => {
    const found = (sample.verdictsPerSecond || []).find(rate => rate.action === action);
    return found ? Number(found.perSecond) : 0;
  };

  const stateName = state => String(state || '').replace('ESCALATION_STATE_', '').toLowerCase();

  const cell = (row, text, className) => {
    const td = document.createElement('td');
    td.textContent = text;
    if (className) {
      td.className = className;
    }
    row.appendChild(td);
    return td;
  };

  function renderTiles(sample) {
    const total = actions.reduce((sum, action) => sum + rateOf(sample, action), 0);
    setField('verdicts', number(total, 1));
    for (const action of actions) {
      setField('verdicts-' + action, number(rateOf(sample, action), 1));
    }
    setField('violations', number(sample.violationsPerMinute, 1));
    setField('escalations', number(sample.escalationsPerMinute, 1));
    setField('filter-list-version', String(sample.filterListVersion || 0));
    setField('filter-list-size', String(sample.filterListSize || 0));
    setField('outbox-pending', String(sample.outboxPending || 0));
    setField('outbox-dead-letters', String(sample.outboxDeadLetters || 0));
    const silos = sample.silos || [];
    setField('silos', silos.filter(silo => silo.reporting).length + ' of ' + silos.length);
    setField('at', new Date(sample.at).toLocaleTimeString());
    const dead = root.querySelector('[data-tile="dead-letters"]');
    if (dead) {
      dead.classList.toggle('bad', Number(sample.outboxDeadLetters || 0) > 0);
    }
  }

  function renderSilos(sample) {
    const body = document.getElementById('silos-body');
    if (!body) {
      return;
    }
    body.replaceChildren();
    for (const silo of sample.silos || []) {
      const row = document.createElement('tr');
      cell(row, silo.address);
      cell(row, silo.name);
      cell(row, silo.status, 'state ' + silo.status);
      cell(row, silo.reporting ? 'yes' : 'no');
      cell(row, number(silo.verdictsPerSecond, 1), 'num');
      cell(row, number(silo.cpuPercent, 1), 'num');
      cell(row, number(Number(silo.memoryBytes || 0) / 1048576, 0), 'num');
      body.appendChild(row);
    }
  }

  function renderSenders(sample) {
    const body = document.getElementById('senders-body');
    if (!body) {
      return;
    }
    body.replaceChildren();
    for (const sender of sample.topSenders || []) {
      const row = document.createElement('tr');
      cell(row, String(sender.rank), 'num');
      const link = document.createElement('a');
      link.href = '/senders/view?address=' + encodeURIComponent(sender.sender);
      link.textContent = sender.sender;
      cell(row, '').appendChild(link);
      const state = stateName(sender.state);
      cell(row, state, 'state ' + state);
      const standing = sender.standing || {};
      cell(row, String(standing.distinctRecipients || 0), 'num');
      cell(row, String(standing.distinctProviders || 0), 'num');
      cell(row, String(standing.reportsInWindow || 0), 'num');
      body.appendChild(row);
    }
    const empty = document.getElementById('senders-empty');
    if (empty) {
      empty.hidden = (sample.topSenders || []).length > 0;
    }
  }

  function drawChart(id, lines) {
    const svg = document.getElementById(id);
    if (!svg) {
      return;
    }
    const width = 600;
    const height = 160;
    const left = 44;
    const top = 8;
    const bottom = 18;
    let peak = 0;
    for (const line of lines) {
      for (const value of line.values) {
        peak = Math.max(peak, value);
      }
    }
    const scale = peak > 0 ? niceCeiling(peak) : 1;
    svg.replaceChildren();
    for (let i = 0; i <= 4; i++) {
      const y = top + (height - top - bottom) * i / 4;
      const grid = document.createElementNS(svgNs, 'line');
      grid.setAttribute('x1', String(left));
      grid.setAttribute('x2', String(width));
      grid.setAttribute('y1', String(y));
      grid.setAttribute('y2', String(y));
      grid.setAttribute('class', 'grid');
      svg.appendChild(grid);
      const label = document.createElementNS(svgNs, 'text');
      label.setAttribute('x', '0');
      label.setAttribute('y', String(y + 4));
      label.setAttribute('class', 'axis');
      label.textContent = number(scale * (4 - i) / 4, scale < 4 ? 1 : 0);
      svg.appendChild(label);
    }
    const span = kept - 1;
    for (const line of lines) {
      const offset = kept - line.values.length;
      const points = line.values.map((value, i) => {
        const x = left + (width - left) * (offset + i) / span;
        const y = top + (height - top - bottom) * (1 - value / scale);
        return x.toFixed(1) + ',' + y.toFixed(1);
      });
      const polyline = document.createElementNS(svgNs, 'polyline');
      polyline.setAttribute('points', points.join(' '));
      polyline.setAttribute('class', 's-' + line.name);
      svg.appendChild(polyline);
    }
    const caption = document.createElementNS(svgNs, 'text');
    caption.setAttribute('x', String(left));
    caption.setAttribute('y', String(height - 2));
    caption.setAttribute('class', 'axis');
    caption.textContent = 'last ' + kept + ' seconds';
    svg.appendChild(caption);
  }

  function niceCeiling(value) {
    const power = Math.pow(10, Math.floor(Math.log10(value)));
    for (const step of [1, 2, 2.5, 5, 10]) {
      if (value <= step * power) {
        return step * power;
      }
    }
    return 10 * power;
  }

  function renderCharts() {
    drawChart('chart-verdicts', actions.map(action => ({ name: action, values: samples.map(s => rateOf(s, action)) })));
    drawChart('chart-violations', [
      { name: 'violations', values: samples.map(s => Number(s.violationsPerMinute || 0)) },
      { name: 'escalations', values: samples.map(s => Number(s.escalationsPerMinute || 0)) },
    ]);
  }

  function accept(sample) {
    samples.push(sample);
    if (samples.length > kept) {
      samples.splice(0, samples.length - kept);
    }
  }

  function show(sample) {
    renderTiles(sample);
    renderSilos(sample);
    renderSenders(sample);
    renderCharts();
    root.dataset.updates = String(Number(root.dataset.updates || '0') + 1);
  }

  const status = document.getElementById('live-status');
  const source = new EventSource('/overview/events');
  source.addEventListener('history', event => {
    samples.length = 0;
    for (const sample of JSON.parse(event.data)) {
      accept(sample);
    }
    if (samples.length > 0) {
      show(samples[samples.length - 1]);
    }
  });
  source.addEventListener('sample', event => {
    const sample = JSON.parse(event.data);
    accept(sample);
    show(sample);
    if (status) {
      status.textContent = 'live';
    }
  });
  source.addEventListener('error', () => {
    if (status) {
      status.textContent = 'reconnecting…';
    }
  });
})();
