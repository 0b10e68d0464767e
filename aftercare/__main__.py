"""The `aftercare` command: Django's manage.py with Aftercare's own subcommands.

`aftercare serve`, `aftercare worker`, `aftercare demo`, `aftercare seed-demo` and
`aftercare import` are management commands of the apps; everything else is Django's.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftercare.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    # Hyphenated names read better on a command line; Django modules cannot contain hyphens.
    if len(args) > 1:
        args[1] = args[1].replace("-", "_")
    try:
        execute_from_command_line(args)
    except ImproperlyConfigured as error:
        sys.stderr.write(f"aftercare: configuration error: {error}\n")
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
