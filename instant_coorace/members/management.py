from flask import Blueprint

blueprint = Blueprint("member_management", __name__, url_prefix="/gestion/annuaire")
