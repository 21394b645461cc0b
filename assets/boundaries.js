/* Functions the boundary editor's map layers call (dash-leaflet "functional props"), and the
   map-click handler of its clientside callback. A dragged handle reports its move to the
   `bnd-drag` store with the vertex's exact coordinates as the server sent them (Leaflet
   rounds positions; the server finds a vertex by its exact coordinates). Every text from the
   data reaches the page escaped (tooltips) or as an attribute (titles). */
(function () {
  var SEVERITY = {error: '#d62728', warning: '#f0a202', old: '#8a8a8a'};

  function escapeHtml(value) {
    return String(value == null ? '' : value).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  }

  function lonLat(latlng) {
    if (Array.isArray(latlng)) { return [latlng[1], latlng[0]]; }
    return [latlng.lng, latlng.lat];
  }

  /* A draggable handle: a vertex (shared ones drawn apart) or an edge's midpoint; one on the
     community's outer edge is locked, drawn apart and not draggable, its title saying why. */
  function handle(feature, latlng) {
    var p = feature.properties, edge = p.kind === 'edge';
    var cls = 'bnd-handle ' + (edge ? 'bnd-edge' : 'bnd-vertex' + (p.shared ? ' bnd-shared' : ''));
    cls += p.locked ? ' bnd-locked' : '';
    var size = edge ? 10 : 14;
    var marker = L.marker(latlng, {
      icon: L.divIcon({className: cls, iconSize: [size, size]}),
      draggable: !p.locked, keyboard: false,
      title: p.locked ? String(p.title || '') : (edge ? '' : String(p.label || '')),
      zIndexOffset: edge ? 0 : (p.shared ? 2000 : 1000)
    });
    if (p.locked) { return marker; }
    marker.on('dragend', function (event) {
      var to = event.target.getLatLng(), data;
      if (edge) {
        data = {kind: 'edge', a: p.a, b: p.b, delta: [to.lng - p.lon, to.lat - p.lat], at: Date.now()};
      } else {
        data = {kind: 'vertex', from: [p.lon, p.lat], to: [to.lng, to.lat], at: Date.now()};
      }
      // Back to where the draft has it: a step the server takes redraws the handles at their
      // new places, and one it refuses leaves none where the draft has no vertex.
      event.target.setLatLng(latlng);
      window.dash_clientside.set_props('bnd-drag', {data: data});
    });
    return marker;
  }

  function gridStyle(feature, context) {
    var h = context.hideout || {}, p = feature.properties, selected = h.selected === p.code;
    if (!p.is_basic) {
      return {fill: false, color: selected ? '#d62728' : '#243b53', weight: p.level === 1 ? 4 : 3,
              opacity: 0.85, interactive: false};
    }
    return {fillColor: p.colour, fillOpacity: selected ? 0.38 : 0.16, color: selected ? '#d62728' : p.colour,
            weight: selected ? 4 : 1.6, opacity: 1};
  }

  function gridLabel(feature, layer) {
    if (!feature.properties.is_basic) { return; }
    layer.bindTooltip(escapeHtml(feature.properties.name), {
      permanent: true, direction: 'center', className: 'bnd-label', opacity: 1
    });
  }

  function microStyle() {
    return {fill: false, color: '#52606d', weight: 0.8, opacity: 0.7, dashArray: '2 3'};
  }

  function buildingStyle(feature, context) {
    var h = context.hideout || {}, id = feature.properties.id;
    var chosen = (h.chosen || []).indexOf(id) >= 0, moved = (h.moved || []).indexOf(id) >= 0;
    var fill = chosen ? '#1565c0' : (moved ? '#ff6f00' : '#9aa5b1');
    return {fillColor: fill, fillOpacity: chosen || moved ? 0.85 : 0.55, color: chosen || moved ? fill : '#7b8794',
            weight: moved ? 2 : 0.6};
  }

  function communityStyle() {
    return {fill: false, color: '#102a43', weight: 2, dashArray: '8 4', interactive: false};
  }

  function problemStyle(feature) {
    var p = feature.properties;
    var colour = p.pre_existing ? SEVERITY.old : (p.severity === 'error' ? SEVERITY.error : SEVERITY.warning);
    return {color: colour, fillColor: colour, fillOpacity: 0.45, weight: 3, dashArray: '4 3'};
  }

  function problemPoint(feature, latlng) {
    return L.circleMarker(latlng, problemStyle(feature));
  }

  function problemLabel(feature, layer) {
    layer.bindTooltip(escapeHtml(feature.properties.text));
  }

  function historyStyle() {
    return {fill: false, color: '#000000', weight: 2.5, opacity: 0.8, dashArray: '6 6', interactive: false};
  }

  function drawingStyle() {
    return {color: '#6a1b9a', weight: 3, fillOpacity: 0.15, dashArray: '5 4'};
  }

  function drawingPoint(feature, latlng) {
    return L.circleMarker(latlng, {radius: 5, color: '#6a1b9a', fillColor: '#ffffff', fillOpacity: 1, weight: 2});
  }

  /* The drawing so far (points clicked on the map) as GeoJSON: the points and the line or
     the polygon they make. */
  function drawing(points, mode) {
    var features = (points || []).map(function (xy) {
      return {type: 'Feature', geometry: {type: 'Point', coordinates: xy}, properties: {}};
    });
    if (points && points.length >= 2) {
      var geometry = mode === 'polygon' && points.length >= 3
        ? {type: 'Polygon', coordinates: [points.concat([points[0]])]}
        : {type: 'LineString', coordinates: points};
      features.push({type: 'Feature', geometry: geometry, properties: {}});
    }
    return {type: 'FeatureCollection', features: features};
  }

  /* A click on the map: in the drawing modes a point of the drawing, in the buildings mode
     a building chosen or let go, otherwise the basic grid under it selected. */
  function onClick(click, mode, points, grids, buildings, chosen, selected) {
    var skip = window.dash_clientside.no_update;
    if (!click || !click.latlng) { return [skip, skip, skip]; }
    var at = lonLat(click.latlng), latlng = [at[1], at[0]];
    if (mode === 'line' || mode === 'polygon') {
      return [skip, (points || []).concat([at]), skip];
    }
    if (mode === 'buildings') {
      var building = window.safetyMap.featureAt(latlng, buildings);
      if (!building) { return [skip, skip, skip]; }
      var id = building.properties.id, list = (chosen || []).slice(), i = list.indexOf(id);
      if (i >= 0) { list.splice(i, 1); } else { list.push(id); }
      return [skip, skip, list];
    }
    var basic = {features: ((grids || {}).features || []).filter(function (f) { return f.properties.is_basic; })};
    var grid = window.safetyMap.featureAt(latlng, basic);
    if (!grid || grid.properties.code === selected) { return [skip, skip, skip]; }
    return [grid.properties.code, skip, skip];
  }

  window.boundaryMap = {
    escapeHtml: escapeHtml, handle: handle, gridStyle: gridStyle, gridLabel: gridLabel, microStyle: microStyle,
    buildingStyle: buildingStyle, communityStyle: communityStyle, problemStyle: problemStyle,
    problemPoint: problemPoint, problemLabel: problemLabel, historyStyle: historyStyle,
    drawingStyle: drawingStyle, drawingPoint: drawingPoint, drawing: drawing, onClick: onClick
  };
})();
