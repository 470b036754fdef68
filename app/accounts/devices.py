"""A signed-in device's name in plain words ("Chrome on Android"), from its user agent."""

from ua_parser import parse

# The parser's browser names, as people know them.
_BROWSERS = {
    "Chrome Mobile": "Chrome",
    "Chrome Mobile iOS": "Chrome",
    "Chrome Mobile WebView": "an app",
    "HeadlessChrome": "Chrome",
    "Mobile Safari": "Safari",
    "Mobile Safari UI/WKWebView": "an app",
    "Firefox Mobile": "Firefox",
    "Firefox iOS": "Firefox",
    "Edge Mobile": "Edge",
    "Opera Mobile": "Opera",
}
_SYSTEMS = {"Mac OS X": "a Mac", "Chrome OS": "a Chromebook", "Ubuntu": "Linux", "Fedora": "Linux"}
DEVICE_NAME_MAX_CHARS = 100


def device_name(user_agent: str | None) -> str:
    parsed = parse(user_agent[:1000]) if user_agent else None
    browser = parsed.user_agent.family if parsed and parsed.user_agent else None
    system = parsed.os.family if parsed and parsed.os else None
    if system == "iOS":
        model = parsed.device.family if parsed.device else ""
        system = "an iPad" if model.startswith("iPad") else "an iPhone"
    system = _SYSTEMS.get(system, system)
    browser = _BROWSERS.get(browser, browser)
    if browser and browser != "Other" and system and system != "Other":
        name = f"{browser} on {system}"
    elif browser and browser != "Other":
        name = browser
    elif system and system != "Other":
        name = f"A browser on {system}"
    else:
        name = "An unknown device"
    return name[:DEVICE_NAME_MAX_CHARS]
