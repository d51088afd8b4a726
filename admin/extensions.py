"""The Flask extensions the admin installs, apart from the package so views can use them too.

`limiter` decorates the sign-in view, so it must exist before the views are imported;
`admin/__init__.py` imports the views, hence this module of its own.
"""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
