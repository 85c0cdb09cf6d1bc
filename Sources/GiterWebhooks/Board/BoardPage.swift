import Foundation
import Giter
import GiterCodec

/// The board's HTML, rendered on the server: every page works without
/// JavaScript. Every value from the exchange goes through
/// ``HTMLText/escape(_:)``; links are built from validated resource keys,
/// percent-encoded as well.
enum BoardPage {
    /// The overview: one section per namespace, one table per kind.
    static func overview(_ overview: BoardOverview, configuration: BoardConfiguration) -> String {
        var html = ""
        let rows = overview.rows.sorted { $0.key < $1.key }
        let shown = rows.prefix(max(0, configuration.maxRows))
        if rows.isEmpty {
            html += "<p>No live resources on this branch.</p>\n"
        }
        var namespace: String?
        var kind: String?
        for row in shown {
            if row.key.namespace != namespace || row.key.kind != kind {
                if kind != nil { html += "</tbody>\n</table>\n" }
                if row.key.namespace != namespace {
                    if namespace != nil { html += "</section>\n" }
                    namespace = row.key.namespace
                    let id = "ns-" + HTMLText.pathSegment(row.key.namespace)
                    html += "<section aria-labelledby=\"\(HTMLText.escape(id))\">\n"
                    html += "<h2 id=\"\(HTMLText.escape(id))\">Namespace \(HTMLText.escape(row.key.namespace))</h2>\n"
                }
                kind = row.key.kind
                html +=
                    "<table>\n<caption>\(HTMLText.escape(row.key.kind)) in "
                    + "\(HTMLText.escape(row.key.namespace))</caption>\n"
                html += "<thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Generation</th>"
                html += "<th scope=\"col\">Observed generation</th><th scope=\"col\">Ready</th>"
                html += "<th scope=\"col\">Conditions</th></tr></thead>\n<tbody>\n"
            }
            html += overviewRow(row)
        }
        if kind != nil { html += "</tbody>\n</table>\n</section>\n" }
        if rows.count > shown.count {
            html += "<p class=\"note\">\(rows.count - shown.count) more resources are not shown "
            html += "(the board shows \(configuration.maxRows) at most).</p>\n"
        }
        if !overview.problems.isEmpty {
            html += "<section aria-labelledby=\"problems\">\n<h2 id=\"problems\">Files that cannot be read</h2>\n<ul>\n"
            for problem in overview.problems.sorted(by: { $0.path < $1.path }).prefix(max(0, configuration.maxRows)) {
                html +=
                    "<li><code>\(HTMLText.escape(problem.path))</code>: "
                    + "\(HTMLText.escape(clip(problem.message)))</li>\n"
            }
            html += "</ul>\n</section>\n"
        }
        return document(
            title: configuration.title,
            heading: HTMLText.escape(configuration.title),
            context: context(branch: overview.branch, revision: overview.revision),
            revision: overview.revision,
            content: html
        )
    }

    /// A resource's page: its progress, conditions, spec, status and history.
    static func resource(_ resource: BoardResource, branch: String, configuration: BoardConfiguration) -> String {
        let row = resource.row
        var html = "<p><a href=\"/\">All resources</a></p>\n"
        html += "<h2 id=\"summary\">Summary</h2>\n<dl>\n"
        html += "<dt>Namespace</dt><dd>\(HTMLText.escape(row.key.namespace))</dd>\n"
        html += "<dt>Kind</dt><dd>\(HTMLText.escape(row.key.kind))</dd>\n"
        html += "<dt>Generation</dt><dd id=\"generation\">\(row.generation)</dd>\n"
        html +=
            "<dt>Observed generation</dt><dd id=\"observed-generation\">"
            + "\(row.observedGeneration.map(String.init) ?? "none")</dd>\n"
        html +=
            "<dt>Ready</dt><dd id=\"ready\"\(readyClass(row.ready))>"
            + "\(HTMLText.escape(row.ready?.status.rawValue ?? "none"))</dd>\n"
        html += "</dl>\n"

        html += "<h2 id=\"conditions\">Conditions</h2>\n"
        if row.conditions.isEmpty {
            html += "<p>No conditions yet.</p>\n"
        } else {
            html +=
                "<table aria-labelledby=\"conditions\">\n<thead><tr><th scope=\"col\">Type</th>"
                + "<th scope=\"col\">Status</th>"
            html +=
                "<th scope=\"col\">Reason</th><th scope=\"col\">Message</th><th scope=\"col\">Observed generation</th>"
            html += "<th scope=\"col\">Last transition (UTC)</th></tr></thead>\n<tbody>\n"
            for condition in row.conditions {
                html += "<tr><th scope=\"row\">\(HTMLText.escape(condition.type))</th>"
                html += "<td\(readyClass(condition))>\(HTMLText.escape(condition.status.rawValue))</td>"
                html +=
                    "<td>\(HTMLText.escape(clip(condition.reason)))</td>"
                    + "<td>\(HTMLText.escape(clip(condition.message)))</td>"
                html += "<td class=\"number\">\(condition.observedGeneration.map(String.init) ?? "-")</td>"
                let time = condition.hasTransitionTime ? RFC3339.string(from: condition.lastTransitionTime) ?? "-" : "-"
                html += "<td>\(HTMLText.escape(time))</td></tr>\n"
            }
            html += "</tbody>\n</table>\n"
        }

        html += "<h2 id=\"spec\">Spec</h2>\n" + preformatted(resource.spec, label: "spec", configuration: configuration)
        html += "<h2 id=\"status\">Status</h2>\n"
        if let status = resource.status {
            html += preformatted(status, label: "status", configuration: configuration)
        } else {
            html += "<p>No status yet: the consumer has not answered.</p>\n"
        }

        html += "<h2 id=\"history\">History</h2>\n"
        let history = resource.history.suffix(max(0, configuration.maxHistoryEntries))
        if resource.history.count > history.count {
            html += "<p class=\"note\">The \(history.count) most recent of \(resource.history.count) commits.</p>\n"
        }
        if history.isEmpty {
            html += "<p>No commits.</p>\n"
        } else {
            html +=
                "<table aria-labelledby=\"history\">\n<thead><tr><th scope=\"col\">Commit</th>"
                + "<th scope=\"col\">Time (UTC)</th>"
            html += "<th scope=\"col\">Author</th><th scope=\"col\">Party</th><th scope=\"col\">Signed by</th>"
            html += "<th scope=\"col\">Change</th></tr></thead>\n<tbody>\n"
            for entry in history {
                html +=
                    "<tr><td><code title=\"\(HTMLText.escape(entry.commit))\">"
                    + "\(HTMLText.escape(entry.commit.prefix(12)))</code></td>"
                html += "<td>\(HTMLText.escape(RFC3339.string(from: entry.time) ?? "-"))</td>"
                html += "<td>\(HTMLText.escape(clip(entry.author)))</td><td>\(HTMLText.escape(clip(entry.party)))</td>"
                html +=
                    "<td>\(HTMLText.escape(clip(entry.signer)))</td>"
                    + "<td>\(HTMLText.escape(clip(entry.change)))</td></tr>\n"
            }
            html += "</tbody>\n</table>\n"
        }
        return document(
            title: "\(row.key.kind)/\(row.key.name) · \(configuration.title)",
            heading: "\(HTMLText.escape(row.key.kind)) <code>\(HTMLText.escape(row.key.name))</code>",
            context: context(branch: branch, revision: resource.revision),
            revision: resource.revision,
            content: html
        )
    }

    /// A page that says what was not found (404) or could not be read (503).
    static func message(title: String, text: String, configuration: BoardConfiguration) -> String {
        document(
            title: "\(title) · \(configuration.title)",
            heading: HTMLText.escape(title),
            context: "",
            revision: nil,
            content: "<p>\(HTMLText.escape(text))</p>\n<p><a href=\"/\">All resources</a></p>\n",
            live: false
        )
    }

    /// The path of a resource's page.
    static func path(of key: ResourceKey) -> String {
        "/resources/" + [key.namespace, key.kind, key.name].map(HTMLText.pathSegment).joined(separator: "/")
    }

    private static func overviewRow(_ row: BoardRow) -> String {
        let key = row.key
        var html = "<tr data-key=\"\(HTMLText.escape(key.description))\">"
        html += "<th scope=\"row\"><a href=\"\(HTMLText.escape(path(of: key)))\">\(HTMLText.escape(key.name))</a></th>"
        html += "<td class=\"number\">\(row.generation)</td>"
        html += "<td class=\"number\">\(row.observedGeneration.map(String.init) ?? "-")</td>"
        html +=
            "<td data-column=\"ready\"\(readyClass(row.ready))>"
            + "\(HTMLText.escape(row.ready?.status.rawValue ?? "-"))</td>"
        if row.conditions.isEmpty {
            html += "<td>-</td>"
        } else {
            let items = row.conditions.map { condition in
                var text = "\(condition.type)=\(condition.status.rawValue)"
                if !condition.reason.isEmpty { text += " (\(condition.reason))" }
                if !condition.message.isEmpty { text += ": \(condition.message)" }
                return "<li>\(HTMLText.escape(clip(text)))</li>"
            }
            html += "<td><ul>\(items.joined())</ul></td>"
        }
        return html + "</tr>\n"
    }

    /// ` class="True"` for a condition's status, so its colour is set by the style sheet.
    private static func readyClass(_ condition: Condition?) -> String {
        condition.map { " class=\"\($0.status.rawValue)\"" } ?? ""
    }

    private static func preformatted(_ text: String, label: String, configuration: BoardConfiguration) -> String {
        let (shown, cut) = HTMLText.prefix(text, bytes: max(0, configuration.maxDocumentBytes))
        var html = "<pre aria-label=\"\(label)\"><code>\(HTMLText.escape(shown))</code></pre>\n"
        if cut {
            html += "<p class=\"note\">Cut at \(configuration.maxDocumentBytes) bytes of \(text.utf8.count); "
            html += "read the whole \(label) with <code>giter get -o yaml</code>.</p>\n"
        }
        return html
    }

    /// A text from the exchange cut to 1,000 characters, for a table cell.
    private static func clip(_ text: String) -> String {
        text.count > 1_000 ? String(text.prefix(1_000)) + "…" : text
    }

    private static func context(branch: String, revision: String?) -> String {
        let at = revision.map { "commit <code>\(HTMLText.escape($0.prefix(12)))</code>" } ?? "no commit yet"
        return "<p>Branch <code>\(HTMLText.escape(branch))</code>, \(at).</p>\n"
    }

    private static func document(
        title: String,
        heading: String,
        context: String,
        revision: String?,
        content: String,
        live: Bool = true
    ) -> String {
        var html = "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        html += "<title>\(HTMLText.escape(title))</title>\n<style>\(BoardAssets.style)</style>\n</head>\n<body>\n"
        html += "<header>\n<h1>\(heading)</h1>\n"
        if live {
            html += "<p id=\"live\" role=\"status\" aria-live=\"polite\">Reload the page to see new commits.</p>\n"
        }
        html += "</header>\n"
        let revisionAttribute = revision.map { " data-revision=\"\(HTMLText.escape($0))\"" } ?? ""
        html += "<main id=\"content\"\(revisionAttribute)>\n\(context)\(content)</main>\n"
        if live { html += "<script>\(BoardAssets.script)</script>\n" }
        html += "</body>\n</html>\n"
        return html
    }
}
