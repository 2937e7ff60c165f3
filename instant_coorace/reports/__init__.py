"""The year's figures for the annual report and the funders: read-only aggregate
queries over events, registrations and attendance, shown as a page of tables and
charts and exported as XLSX, CSV and SVG."""
