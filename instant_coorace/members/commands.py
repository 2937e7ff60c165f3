from flask.cli import AppGroup

members_cli = AppGroup("members", help="Annuaire des structures.")
