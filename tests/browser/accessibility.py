"""`assert_accessible`: axe-core on the page as it is now, once per page structure.

A walk through the app meets the same page many times with other data in it (a vote page for
each voter, a milestone page for each milestone); axe takes ~0.2 s a page, a third of some walks.
So each page's *signature* is computed first (one cheap script), and axe runs only on a page
whose signature this test process has not yet seen scanned clean. Why that is safe, and what is
left, is in `assert_accessible`'s docstring; `test_accessibility_dedupe.py` checks the guard.
"""

import functools
from pathlib import Path

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}

# Signatures of pages axe found free of blocking violations, in this process (each xdist worker
# keeps its own). A page that failed is never added, so it fails again wherever it appears.
_scanned_clean: set[str] = set()

# Attributes whose value axe does not judge, only whether it is there and empty (alt="" makes an
# image decorative; an empty aria-label names nothing): free text, addresses, form values.
# Every other attribute's value goes into the signature as it is (role, aria-*, id, for,
# headers, lang, type, tabindex, autocomplete, style, class, content, ...).
_PRESENCE_ONLY = [
    "alt", "title", "aria-label", "aria-description", "aria-roledescription", "aria-valuetext",
    "aria-placeholder", "placeholder", "value", "src", "srcset", "action", "formaction",
    "datetime", "min", "max", "label", "download", "poster", "cite", "nonce", "integrity",
]

_SIGNATURE_JS = """async (presenceOnly) => {
    const PRESENCE_ONLY = new Set(presenceOnly);
    // Frames and shadow trees hold content this walk does not see: such a page is never skipped.
    if (document.querySelector("iframe, frame, object, embed")) return null;
    const STYLE = ["display", "visibility", "color", "background-color", "background-image",
                   "font-size", "font-weight", "font-style", "opacity", "text-shadow", "position",
                   "overflow-x", "overflow-y", "content",
                   // link-in-text-block: a link told from its text by more than colour.
                   "text-decoration-line", "border-bottom-style"];
    const textKind = (el) => {
        // 0: no text of its own; 1: only marks (axe's contrast check skips icons, bullets);
        // 2: letters or digits.
        let kind = 0;
        for (const node of el.childNodes) {
            if (node.nodeType !== Node.TEXT_NODE || !node.data.trim()) continue;
            if (/[\\p{L}\\p{N}]/u.test(node.data)) return 2;
            kind = 1;
        }
        return kind;
    };
    const style = (el) => {
        const css = getComputedStyle(el);
        const parts = STYLE.map((p) => css.getPropertyValue(p));
        // A region that scrolls must be reachable by keyboard (scrollable-region-focusable):
        // whether it overflows depends on how much is in it, so it is part of the signature.
        if (/auto|scroll/.test(css.overflowX + css.overflowY)) {
            parts.push(el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight);
        }
        for (const pseudo of ["::before", "::after"]) {
            const content = getComputedStyle(el, pseudo).content;
            if (content && content !== "none" && content !== "normal") parts.push(pseudo + content);
        }
        return parts.join(",");
    };
    const lengthRatio = (el) => {
        // p-as-heading judges a bold or larger <p> by its length against the <p> after it.
        const next = el.nextElementSibling;
        if (el.tagName !== "P" || !next || next.tagName !== "P") return "";
        const ratio = el.textContent.trim().length / (next.textContent.trim().length || 1);
        return ratio < 0.5 ? "<.5" : ratio <= 1 ? "<=1" : ">1";
    };
    // label-content-name-mismatch compares the words of an aria-label (or aria-labelledby) with
    // the visible text of a control named by its content: for those, the words themselves count.
    const FROM_CONTENT = new Set(["button", "cell", "checkbox", "columnheader", "gridcell",
        "heading", "link", "menuitem", "menuitemcheckbox", "menuitemradio", "option", "radio",
        "row", "rowheader", "switch", "tab", "tooltip", "treeitem"]);
    const IMPLICIT = {A: "link", BUTTON: "button", SUMMARY: "button", H1: "heading",
        H2: "heading", H3: "heading", H4: "heading", H5: "heading", H6: "heading", TD: "cell",
        TH: "columnheader", OPTION: "option", TR: "row"};
    const words = (el) => {
        if (!el.hasAttribute("aria-label") && !el.hasAttribute("aria-labelledby")) return "";
        const role = (el.getAttribute("role") || IMPLICIT[el.tagName] || "")
            .trim().split(/\\s+/)[0];
        if (!FROM_CONTENT.has(role)) return "";
        const labelledBy = (el.getAttribute("aria-labelledby") || "").split(/\\s+/)
            .map((id) => document.getElementById(id)?.textContent ?? "").join(" ");
        return JSON.stringify([el.getAttribute("aria-label"), labelledBy, el.textContent]);
    };
    const out = [];
    const walk = (el) => {
        if (el.shadowRoot) throw new Error("shadow");
        const attrs = [];
        for (const a of el.attributes) {
            const name = a.name;
            let value = a.value;
            if (PRESENCE_ONLY.has(name) || name.startsWith("data-")
                || (name === "href" && el.tagName !== "LINK" && !value.startsWith("#"))) {
                value = value.trim() ? "+" : "";
            }
            attrs.push(name + "=" + JSON.stringify(value));
        }
        attrs.sort();
        // A <style> element's rules are judged too (css-orientation-lock), whatever they do.
        const css = el.tagName === "STYLE" ? el.textContent : "";
        out.push("<" + el.tagName + " " + attrs.join(" ") + " |" + textKind(el) + "|"
                 + lengthRatio(el) + "|" + words(el) + "|" + css + "|" + style(el));
        for (const child of el.children) walk(child);
        out.push(">");
    };
    try {
        walk(document.documentElement);
    } catch (e) {
        if (e.message === "shadow") return null;
        throw e;
    }
    // The viewport shapes layout (reflow, scrolling regions): a phone page is not a desktop one.
    out.push(innerWidth + "x" + innerHeight);
    const bytes = new TextEncoder().encode(out.join("\\n"));
    const digest = await crypto.subtle.digest("SHA-256", bytes);
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}"""


def page_signature(page):
    """A hash of everything on the page that axe's WCAG A/AA rules judge, without its text; None
    for a page holding frames or shadow trees (never skipped)."""
    return page.evaluate(_SIGNATURE_JS, _PRESENCE_ONLY)


@functools.cache
def _axe_source(path):
    return Path(path).read_text(encoding="utf-8")


def run_axe(page):
    """axe-core's WCAG A/AA violations on the page as it is now, every impact."""
    from clinlead.frontend import axe_script

    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Not page.add_script_tag: that inserts an inline <script>, which the app's content
        # security policy (script-src 'self') rightly refuses. Evaluating the file through the
        # DevTools protocol is not subject to the page's CSP, so the policy stays on under test.
        page.evaluate(_axe_source(axe_script()))
        assert page.evaluate("() => typeof window.axe === 'object'"), "axe-core did not load"
    return page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {
                runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
            });
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                targets: v.nodes.map(n => n.target.join(" ")),
            }));
        }""",
        WCAG_TAGS,
    )


def assert_accessible(page):
    """Fail on serious or critical WCAG 2.0/2.1 A/AA violations axe-core finds on the page as it
    is now. Returns True if axe ran, False if the page was skipped as already scanned.

    Skipping. axe runs only if this process has not already scanned, and found clean, a page with
    the same signature (`page_signature`). The signature holds everything axe's rules read: every
    element in order and nesting (head included: title, meta viewport, lang); every attribute's
    name, and its value (ids and the for/headers/aria-* references to them, role, type, tabindex,
    autocomplete, lang, class, style, meta content, href="#...") except for free text and
    addresses (alt, title, aria-label, placeholder, value, href, src, ...), of which it holds
    whether they are there and empty, which is all axe judges of them; the words of an aria-label
    on a control named by its content, and the control's text (label-content-name-mismatch
    compares them); whether each element has text of its own (none, only marks, letters or
    digits); its computed display, visibility, colours, background, font size, weight and style,
    opacity, text shadow, position, underline and bottom border (how link-in-text-block tells a
    link from its text), overflow and whether it scrolls, and its ::before/::after
    content; for a <p> before a <p>, their lengths' ratio (p-as-heading); <style> rules; and the
    viewport. Two pages with the same signature differ only in the wording of text and free-text
    attributes, and in addresses. axe's A/AA rules decide from a name being empty or not, not
    from its words (but for the rule above), and contrast from the colours, sizes and weights of
    text, not its words. So the skipped page gets the verdict the scanned one got. Pages with
    frames, embedded objects or shadow trees are always scanned.

    Left over: verdicts that hang on layout the signature does not hold. Longer words can wrap
    text under a positioned element or clip it, changing what axe sees behind it (axe mostly
    answers "needs review" then, which does not fail here); and text made only of marks is one
    kind, though axe checks the contrast of some marks (a lone "£") and not others (a bullet).
    Any new structure (an error message, one more table row, a missing alt) is scanned anew.
    """
    # Judge the page at rest. The pointer stays where the last click was; if a link of the new
    # page lies under it, NHS.UK's hover style takes the link's underline off and axe reports
    # link-in-text-block. Whether the hover survives a navigation depends on whether Chromium
    # keeps the renderer (it does with FEATURES_OFF), so it is cleared here either way.
    page.mouse.move(-1, -1)
    signature = page_signature(page)
    if signature is not None and signature in _scanned_clean:
        return False
    blocking = [v for v in run_axe(page) if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe found accessibility violations on {page.url}:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]\n"
        f"    on: {', '.join(v['targets'])}"
        for v in blocking
    )
    if signature is not None:
        _scanned_clean.add(signature)
    return True
