// Renders every chart of a utilization page: <div class="chart" data-spec="ID"> with its
// Vega-Lite spec in <script type="application/json" id="ID">. vegaEmbed comes from our own
// bundle (utilization:vega); `ast: true` uses Vega's interpreter, so no eval under the CSP.
(function () {
  "use strict";
  function render() {
    if (typeof window.vegaEmbed !== "function") { return; }
    document.querySelectorAll(".chart[data-spec]").forEach(function (el) {
      var source = document.getElementById(el.dataset.spec);
      var spec = source ? JSON.parse(source.textContent) : null;
      if (!spec) { el.remove(); return; }
      window.vegaEmbed(el, spec, {
        ast: true,
        defaultStyle: false, // its <style> tag would break the CSP; utilization.css has it
        // Without its default style vega-embed leaves the export links open under every
        // chart; this keeps them in the "…" menu that utilization.css styles.
        forceActionsMenu: true,
        // vega-tooltip would insert a <style id="vega-tooltip-style"> on first hover, which
        // `style-src 'self'` refuses: its rules are in utilization.css instead.
        tooltip: { disableDefaultStyle: true },
        renderer: "svg",
        actions: { export: true, source: false, compiled: false, editor: false },
      }).catch(function (error) { el.textContent = "The chart could not be drawn: " + error; });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", render);
  } else {
    render();
  }
})();
