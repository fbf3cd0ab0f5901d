/// The style sheet and the little script inlined into every `report.html` (no network).
enum HTMLAssets {
    static let css = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1240px;padding:16px;color:#1d2330;background:#fff}
        h1{font-size:22px;margin:4px 0}h2{font-size:17px;margin:22px 0 8px;border-bottom:1px solid #dde2ea;padding-bottom:3px}
        .verdict{display:inline-block;padding:2px 10px;border-radius:4px;color:#fff;font-weight:600}
        .v-pass{background:#1f883d}.v-fail{background:#cf222e}.v-unknown{background:#8a6d00}
        .banner{background:#fff4d6;border:1px solid #e0b300;padding:8px 12px;border-radius:4px;margin:10px 0;font-weight:600}
        .facts{color:#4b5563}.facts code{background:#f1f3f6;padding:0 4px;border-radius:3px}
        table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border:1px solid #dde2ea;padding:4px 7px;text-align:left;vertical-align:top}
        th{background:#f6f8fa}tr.expectation{cursor:pointer}tr.expectation:hover{background:#f0f6ff}tr.selected{background:#dbeafe}
        td.ev{font-size:12px;color:#374151}pre{background:#f6f8fa;padding:10px;overflow:auto;font-size:12px;border-radius:4px}
        #timeline{overflow-x:auto;border:1px solid #dde2ea;border-radius:4px}
        svg text{font:11px system-ui,sans-serif;fill:#1d2330}.lane-bg{fill:#fff;stroke:#eef1f5}
        .lane-fault .lane-bg{fill:#fbf7ff}.lane-title{font-weight:600}
        .axis line{stroke:#e5e7eb}.axis text{fill:#6b7280}.marker{stroke-width:1.5;stroke-dasharray:4 3}
        .marker.info{stroke:#2563eb}.marker.fail{stroke:#cf222e}
        .planned{fill:none;stroke:#8250df;stroke-dasharray:3 3}.fault-band{fill:#8250df;fill-opacity:.55;stroke:#6639ba}
        .fault-band.unhealed{fill:#cf222e}.band-label{font-size:10px;fill:#2d1b55}
        .mark.ok{fill:#1f883d;stroke:#1f883d}.mark.fail{fill:#cf222e;stroke:#cf222e}.mark.warn{fill:#d4a72c;stroke:#bf8700}
        .mark.info{fill:#2563eb;stroke:#2563eb}.mark.neutral{fill:#8c959f;stroke:#8c959f}line.mark{stroke-width:1.5}
        .latency{fill:none;stroke:#0969da;stroke-width:1.2;opacity:.7}.omitted{fill:#6b7280;font-size:10px}
        .window{display:none}.window.active{display:inline}.window rect{fill:#0969da;fill-opacity:.10;stroke:#0969da;stroke-dasharray:5 3}
        .window text{fill:#0969da;font-weight:600}.window .ref{stroke:#cf222e;stroke-width:1.5}
        .legend span{margin-right:14px;font-size:12px}.dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:4px}
        #fl-error{background:#cf222e;color:#fff;padding:8px}
        """

    /// Wires each expectation row to its window; on any error it puts a visible `#fl-error`
    /// on the page (which the rendering test looks for), and marks the body ready when done.
    static let script = """
        (function () {
          function fail(msg) {
            var d = document.createElement('div'); d.id = 'fl-error'; d.textContent = 'report script error: ' + msg;
            document.body.insertBefore(d, document.body.firstChild);
          }
          window.addEventListener('error', function (e) { fail(e.message); });
          try {
            function select(id) {
              document.querySelectorAll('.window').forEach(function (w) { w.classList.toggle('active', w.id === id); });
              document.querySelectorAll('tr.expectation').forEach(function (r) { r.classList.toggle('selected', r.dataset.window === id); });
              document.getElementById('timeline').scrollIntoView({block: 'start'});
            }
            document.querySelectorAll('tr.expectation[data-window]').forEach(function (row) {
              row.addEventListener('click', function () { select(row.dataset.window); history.replaceState(null, '', '#' + row.dataset.window); });
            });
            if (location.hash.indexOf('#win-') === 0) select(location.hash.slice(1));
            document.body.setAttribute('data-ready', 'yes');
          } catch (e) { fail(e); }
        })();
        """
}
