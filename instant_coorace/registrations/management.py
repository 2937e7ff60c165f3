from flask import Blueprint

blueprint = Blueprint("registration_management", __name__, url_prefix="/gestion/evenements")
