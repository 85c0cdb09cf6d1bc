import Crypto
import Foundation

/// The page's one inline style sheet and one inline script, and the
/// Content-Security-Policy that allows exactly them (by their SHA-256) and
/// nothing else: no other script, style, image, frame, form or base URL;
/// connections only to the board itself (the script's `EventSource` and
/// `fetch`).
enum BoardAssets {
    static let style = """
        body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1a1a1a;background:#fff;line-height:1.4}
        a{color:#0b4fa8}a:focus,a:hover{color:#062f66}
        table{border-collapse:collapse;margin:0 0 1.5rem}caption{text-align:left;font-weight:600;padding:.25rem 0}
        th,td{border:1px solid #8a8a8a;padding:.25rem .5rem;text-align:left;vertical-align:top}
        thead th{background:#ececec}td.number{text-align:right}
        .True{color:#0a5217;background:#e3f3e6}.False{color:#8a1212;background:#fbe6e6}.Unknown{color:#3d3d3d}
        pre{background:#f4f4f4;border:1px solid #8a8a8a;padding:.5rem;overflow:auto;max-width:100%}
        #live{font-size:.9rem;color:#3d3d3d}.note{color:#3d3d3d}
        """

    /// Refreshes the page's `#content` from the server at each `change`
    /// event, and says in `#live` whether live updates are on. Without
    /// JavaScript the page is the same, refreshed by reloading.
    static let script = """
        (function () {
          var live = document.getElementById("live");
          if (!live || !window.EventSource || !window.fetch || !window.DOMParser) return;
          var busy = false, again = false, opened = false;
          function refresh() {
            if (busy) { again = true; return; }
            busy = true;
            fetch(location.href, { cache: "no-store", credentials: "same-origin" })
              .then(function (response) {
                if (!response.ok) throw new Error(String(response.status));
                return response.text();
              })
              .then(function (text) {
                var fresh = new DOMParser().parseFromString(text, "text/html").getElementById("content");
                var old = document.getElementById("content");
                if (fresh && old) old.replaceWith(document.adoptNode(fresh));
              })
              .catch(function () { live.textContent = "Could not refresh; reload the page."; })
              .finally(function () { busy = false; if (again) { again = false; refresh(); } });
          }
          var source = new EventSource("/events");
          source.addEventListener("open", function () {
            live.textContent = "Live: the page follows new commits.";
            document.documentElement.setAttribute("data-live", "on");
            if (opened) refresh();
            opened = true;
          });
          source.addEventListener("error", function () {
            live.textContent = "Live updates paused, reconnecting; reload to refresh.";
            document.documentElement.setAttribute("data-live", "off");
          });
          source.addEventListener("change", refresh);
        })();
        """

    static let policy: String = {
        func hash(_ text: String) -> String {
            "'sha256-" + Data(SHA256.hash(data: Data(text.utf8))).base64EncodedString() + "'"
        }
        return [
            "default-src 'none'",
            "script-src \(hash(script))",
            "style-src \(hash(style))",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ].joined(separator: "; ")
    }()
}
