from flask import Blueprint

blueprint = Blueprint("event_management", __name__, url_prefix="/gestion/evenements")
