"""Which passwords may be chosen (NIST SP 800-63B, 5.1.1.2): at least 8 characters, no rules
about what kinds of character, and none that attackers try first. The list of common and
breached passwords is the one the zxcvbn package ships (30,000 passwords seen most often in
breaches), checked without regard to case."""

from zxcvbn.frequency_lists import FREQUENCY_LISTS

PASSWORD_MIN_CHARS = 8
# Long passphrases are welcome; the limit only keeps hashing a bounded amount of work.
PASSWORD_MAX_CHARS = 256
TOO_COMMON = "That password is too common; choose another one"

# Shorter ones are refused by length anyway.
_COMMON_PASSWORDS = frozenset(
    password for password in FREQUENCY_LISTS["passwords"] if len(password) >= PASSWORD_MIN_CHARS
)


def refuse_common_password(password: str) -> str:
    if password.casefold() in _COMMON_PASSWORDS:
        raise ValueError(TOO_COMMON)
    return password


def refuse_password_like_email(password: str, email: str) -> None:
    """The email, or its part before the @, is the first thing anyone who knows it tries."""
    guessable = {email.casefold(), email.partition("@")[0].casefold()}
    if password.casefold() in guessable:
        raise ValueError("That password is your email address; choose another one")
