"""What a corpus document says, collected by the generators while they write it."""


class Facts:
    """Collects what a document says while it is written, so the words and the expected
    file cannot drift apart."""

    def __init__(self) -> None:
        self.facts: list[dict[str, str]] = []

    def __call__(self, field: str, text: str, heading: str | None = None) -> str:
        self.facts.append(
            {"text": text, "field": field} | ({"heading": heading} if heading else {})
        )
        return text
