"""Layout checks for browser tests: words broken across lines, focus hidden under the fixed
bars, text at 200%, and sideways scrolling."""

from playwright.sync_api import Page

PHONE_390 = {"width": 390, "height": 844}
PHONE_320 = {"width": 320, "height": 640}


def text_at_200_percent(page: Page) -> None:
    """Text twice its usual size, as a browser's text-size setting makes it (the app's own
    base size is 112.5%), for this page and every screen it shows next (until the page is
    loaded again)."""
    # Set through the CSSOM: the app's content security policy refuses inline style sheets.
    page.evaluate("document.documentElement.style.setProperty('font-size', '225%', 'important')")


def broken_words(page: Page, selector: str) -> list[str]:
    """Words inside `selector`'s elements that are split across two lines."""
    return page.evaluate(
        """(selector) => {
            const broken = [];
            for (const element of document.querySelectorAll(selector)) {
                const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
                for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                    if (!node.parentElement.checkVisibility()) continue;
                    for (const word of node.data.matchAll(/\\S+/g)) {
                        const range = document.createRange();
                        range.setStart(node, word.index);
                        range.setEnd(node, word.index + word[0].length);
                        const lines = [...range.getClientRects()].map((r) => Math.round(r.top));
                        const tops = new Set(lines);
                        if (tops.size > 1) broken.push(word[0]);
                    }
                }
            }
            return broken;
        }""",
        selector,
    )


def focus_hidden_by_bars(page: Page, stops: int) -> list[str]:
    """Press Tab `stops` times; each focused element that the fixed tab bar covers, in part
    or whole, named by its text (WCAG 2.2 2.4.11 asks that none is hidden)."""
    hidden = []
    page.locator("main h1").focus()
    for _ in range(stops):
        page.keyboard.press("Tab")
        covered = page.evaluate(
            """() => {
                const focused = document.activeElement;
                const tabs = document.getElementById("tabs");
                // Past the last stop the focus leaves the page (the body is "focused").
                if (!focused || focused === document.body || tabs.hidden || tabs.contains(focused))
                    return null;
                const box = focused.getBoundingClientRect();
                if (!box.height) return null;
                const bar = tabs.getBoundingClientRect();
                return box.bottom > bar.top + 0.5 || box.top < 0
                    ? (focused.textContent || focused.tagName).trim().slice(0, 40)
                    : null;
            }"""
        )
        if covered:
            hidden.append(covered)
    return hidden


def scrolls_sideways(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
