"""The most common passwords, from zxcvbn's frequency list (30,000 passwords seen in leaks,
maintained with that package): a new password may not be one of them."""
import functools

from zxcvbn.frequency_lists import FREQUENCY_LISTS


@functools.cache
def _common():
    """The list as a set, read once (zxcvbn keeps them lower case)."""
    return frozenset(FREQUENCY_LISTS["passwords"])


def is_common_password(password):
    """True when ``password`` (in any letter case) is one of the most common passwords."""
    return password.lower() in _common()
