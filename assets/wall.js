/* The wall screen's map functions, beside the safety map's (safety_map.js loads first).
   A case that arrived while the wall was watching pulses for PULSE_MS from the moment this
   browser first drew it; one loaded with the page does not. */
(function () {
  var PULSE_MS = 60000;
  var STATE_COLOUR = {open: '#ffb74d', overdue: '#ff5252', closed: '#90a4ae'};
  var OVERDUE_RING = {color: '#ff5252', weight: 4, fillColor: '#ff5252', fillOpacity: 0.35};
  var firstSeen = {};

  function forgetOld(now) {
    for (var id in firstSeen) {
      if (now - firstSeen[id] > PULSE_MS) { delete firstSeen[id]; }
    }
  }

  function livePoint(feature, latlng, context) {
    var p = feature.properties || {}, now = Date.now();
    var colour = STATE_COLOUR[p.state] || '#ffb74d';
    if (p['new']) {
      if (!(p.id in firstSeen)) { firstSeen[p.id] = now; }
      var age = now - firstSeen[p.id];
      forgetOld(now);
      if (age < PULSE_MS) {
        // A negative delay keeps the pulse's phase when the layer is drawn again.
        var html = '<span class="pulse" data-id="' + Number(p.id) + '" style="animation-delay:-' + age +
          'ms;background:' + colour + '"></span>';
        return L.marker(latlng, {
          icon: L.divIcon({className: 'live-new', html: html, iconSize: [18, 18]}),
          interactive: false, keyboard: false, pane: 'points'
        });
      }
    }
    return L.circleMarker(latlng, {
      radius: (context.hideout || {}).radius || 5, color: '#0b1320', weight: 1,
      fillColor: colour, fillOpacity: 0.85, interactive: false, pane: 'points'
    });
  }

  function focusStyle(feature) {
    // The tour's red grid in yellow (red is all around it), its community's other grids
    // outlined, and everything outside the community dimmed (geo/db/queries/live/red_context.sql).
    var role = (feature && feature.properties || {}).role;
    if (role === 'mask') { return {stroke: false, fillColor: '#0b1320', fillOpacity: 0.6}; }
    if (role === 'neighbour') { return {color: '#ffffff', weight: 1.5, opacity: 0.8, fillOpacity: 0}; }
    if (role === 'overdue') { return OVERDUE_RING; }
    return {color: '#ffd54f', weight: 5, fillColor: '#ffd54f', fillOpacity: 0.15};
  }

  function focusPoint(feature, latlng) {
    // The tour's overdue step: each overdue case ringed, large enough to see across a room.
    return L.circleMarker(latlng, L.extend({radius: 14, interactive: false, pane: 'focus'}, OVERDUE_RING));
  }

  // The push: every ASK_MS the change stamp of /wall/changes (geo/live/changes.py, no query
  // of the cases); when it moved, or the database went away or came back, the wall looks
  // (`wall-nudge`). Never while its last look is unanswered (#wall-looked says which it
  // answered): Dash drops a callback's answer when a newer call of it is under way, and a
  // nudge at each stamp of a busy city would keep every look from landing.
  var ASK_MS = 250, ANSWER_WAIT_MS = 3000;
  var newest = 0, live = null, nudges = 0, nudgedAt = 0;

  function nudge() {
    nudges += 1;
    nudgedAt = Date.now();
    window.dash_clientside.set_props('wall-nudge', {data: nudges});
  }

  function unanswered() {
    var looked = document.getElementById('wall-looked');
    return nudges > 0 && looked && looked.title !== String(nudges) && Date.now() - nudgedAt < ANSWER_WAIT_MS;
  }

  function heard(answer) {
    var stamp = Number(answer.stamp) || 0;
    var news = (stamp > newest && newest > 0) || (live !== null && answer.live !== live);
    if (news && (!window.dash_clientside || !window.dash_clientside.set_props || unanswered())) {
      return;  // asked again at the next turn
    }
    newest = Math.max(newest, stamp);
    live = answer.live;
    if (news) { nudge(); }
  }

  function askForChanges() {
    fetch('/wall/changes', {credentials: 'same-origin', cache: 'no-store'})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) { if (answer) { heard(answer); } })
      .catch(function () { /* the server is away: the wall's own look says so */ })
      .then(function () { setTimeout(askForChanges, ASK_MS); });
  }

  // `push=0` in the address: looks at the poll's rhythm only (the benchmark's baseline, or a
  // database behind a pooler that drops LISTEN).
  if (/^\/wall\//.test(window.location.pathname) && !/[?&]push=0(&|$)/.test(window.location.search)) {
    askForChanges();
  }

  window.safetyMap = window.safetyMap || {};
  window.safetyMap.focusPoint = focusPoint;
  window.safetyMap.livePoint = livePoint;
  window.safetyMap.focusStyle = focusStyle;
})();
