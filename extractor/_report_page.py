"""The fixed parts of the evidence report page: its style sheet, its script and its legend.

The script is the page's only code. It checks that each highlight shows its evidence text (joining
the fragments of a split highlight), writes the outcome into ``#selfcheck``, and links marks and
rows: clicking a mark selects and scrolls to its row(s); clicking a row selects its marks.
"""

from __future__ import annotations

__all__ = ["page"]


def page(summary: str, index: str, articles: str, *, script: bool = True) -> str:
    """The whole page around already rendered ``index`` lists and ``articles`` (HTML).

    Without ``script`` (an index of pages, with no article) there is no legend and no self-check.
    """
    check = ('<output id="selfcheck" data-checked="" data-failed="">highlight check did not run'
             "</output>")  # fmt: skip
    head = f"<p>{summary} · {check}</p>\n{LEGEND}" if script else f"<p>{summary}</p>"
    code = f"<script>{SCRIPT}</script>" if script else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Evidence report</title><style>{CSS}</style></head>
<body><header><h1>Evidence report</h1>{head}
{index}</header>
<main>{articles}</main>
{code}</body></html>
"""


LEGEND = """<dl class="legend">
<dt><mark class="value">12/40</mark></dt>
<dd>a value read from the text; click it to go to its row(s); click a row to select its marks</dd>
<dt><mark class="context">sentence</mark></dt>
<dd>the sentence or table row a comparison was read from</dd>
<dt><mark class="arm">arm</mark></dt><dd>where an arm and its size were read</dd>
<dt><span class="num derived">29</span></dt>
<dd>derived: computed, not read (hover for how); the highlight it came from has a dashed
 outline</dd>
<dt><mark class="value pfail">0.07</mark> <span class="pbad">✗</span></dt>
<dd>failed p check: the reported p disagrees with the one recomputed from the counts
 (chi-square or Fisher)</dd>
<dt><mark class="value mismatch">x</mark></dt>
<dd>a highlight that does not show its evidence text (a bug; counted in the check above)</dd>
</dl>"""

CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1400px;padding:0 1em;
 color:#222}
h1{margin:.4em 0}h2{margin:1.4em 0 .2em;font-size:1.25em}h3{margin:1em 0 .3em;font-size:1.05em}
.ids,.counts,.quiet{color:#666}.article{border-top:3px solid #345;margin-top:1.5em}
table.rows{border-collapse:collapse;width:100%;font-size:13px}
table.rows th,table.rows td{border:1px solid #ccc;padding:3px 5px;vertical-align:top;
 text-align:left}
table.rows th{background:#eef1f5;position:sticky;top:0}
tr.pfail td{background:#fff1f0}tr.pfail td:first-child{border-left:4px solid #c0392b}
tr.current td,tr:target td{background:#fff7c2}
.arm{font-weight:600}.nums{white-space:nowrap}
.badge{background:#345;color:#fff;border-radius:3px;padding:0 4px;font-size:11px}
a.num{text-decoration:none;border-bottom:1px solid #36c}
.num.derived{font-style:italic;border-bottom:1px dashed #a60;color:#a60}
.num.derived::before{content:"≈"}
.pbad{color:#c0392b;font-weight:700}.pok{color:#2a7d2a}td.low{color:#c0392b}a.src{font-size:12px}
.text{white-space:pre-wrap;margin:.3em 0 .8em}
details{margin:.3em 0}summary{cursor:pointer;font-weight:600}
table.source{border-collapse:collapse;font-size:13px;margin:.4em 0}
table.source th,table.source td{border:1px solid #ccc;padding:2px 5px;vertical-align:top}
table.source caption{text-align:left;font-style:italic;white-space:pre-wrap}
.notes p{font-size:12px;color:#555;margin:.2em 0}
mark{cursor:pointer;border-radius:2px;padding:0 1px;color:inherit}
mark.context{background:#e8f0fe}mark.value{background:#ffe58a}mark.arm{background:#d8f5d0}
mark.derived{outline:1px dashed #a60}mark.pfail{box-shadow:inset 0 -2px #c0392b}
mark.mismatch{background:#f5b7b1;outline:2px solid #c0392b}
mark.current,mark:target{outline:2px solid #c05000;background:#ffc870}
.legend{display:grid;grid-template-columns:max-content 1fr;gap:2px 10px;font-size:13px}
.legend dd{margin:0}.warn{border-left:4px solid #c0392b;padding:0 .6em;background:#fff1f0}
h2.group{font-size:1.1em}nav.pages{margin:1em 0}
#selfcheck.bad{color:#c0392b;font-weight:700}#selfcheck.ok{color:#2a7d2a}
"""

SCRIPT = """
(function () {
  "use strict";
  function parts(mark) {
    return document.querySelectorAll('mark[data-span="' + mark.dataset.span + '"]');
  }
  var firsts = document.querySelectorAll("mark[data-expected]");
  var failed = 0;
  firsts.forEach(function (mark) {
    var text = "";
    parts(mark).forEach(function (part) { text += part.textContent; });
    if (text !== mark.dataset.expected) {
      failed += 1;
      parts(mark).forEach(function (part) { part.classList.add("mismatch"); });
    }
  });
  var out = document.getElementById("selfcheck");
  out.dataset.checked = String(firsts.length);
  out.dataset.failed = String(failed);
  out.className = failed ? "bad" : "ok";
  out.textContent = failed
    ? failed + " of " + firsts.length + " highlights do not show their evidence text"
    : "all " + firsts.length + " highlights show their evidence text";

  function select(elements) {
    document.querySelectorAll(".current").forEach(function (el) {
      el.classList.remove("current");
    });
    elements.forEach(function (el) { el.classList.add("current"); });
  }
  function follow(event) {
    var mark = event.target.closest("mark[data-rows]");
    if (mark) {
      var rows = mark.dataset.rows.split(" ").map(function (id) {
        return document.getElementById(id);
      }).filter(Boolean);
      select(rows);
      if (rows.length) { rows[0].scrollIntoView({block: "center"}); }
      return;
    }
    var row = event.target.closest("tr[data-marks]");
    if (row && !event.target.closest("a") && row.dataset.marks) {
      var marks = [];
      row.dataset.marks.split(" ").forEach(function (id) {
        document.querySelectorAll('mark[data-span="' + id + '"]').forEach(function (m) {
          marks.push(m);
        });
      });
      select(marks);
    }
  }
  document.addEventListener("click", follow);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { follow(event); }
  });
})();
"""
