"""Flask extensions, created unbound and attached in ``create_app``."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from instant_coorace.database import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
mail = Mail()
#: Keyed on the client's address: behind ``TRUSTED_PROXIES`` reverse proxies,
#: ``ProxyFix`` (see ``create_app``) has already made it the visitor's, not the proxy's.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
