"""The one exception type a user may see: a plain message, shown without a traceback."""


class InputError(Exception):
    """Bad input from the user (a file, an option, a record).

    The message names the file (and line, where there is one) and says what to do; the
    command line prints it to stderr and exits with status 2.
    """
