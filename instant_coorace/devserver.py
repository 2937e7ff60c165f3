"""What `make run` starts: the site on http://127.0.0.1:5000."""

from __future__ import annotations

import os

from instant_coorace import create_app


def main() -> None:
    app = create_app()
    port = int(os.environ.get("PORT", "5000"))
    print(f" * Instant Coorace : http://127.0.0.1:{port}")
    app.run(host="127.0.0.1", port=port, debug=False, threaded=True)


if __name__ == "__main__":
    main()
