from flask import Blueprint

blueprint = Blueprint("registrations", __name__)
