"""Building CSV files for the importer's tests."""

import csv
import io

from questions.csv_format import REQUIRED_COLUMNS

HEADER = REQUIRED_COLUMNS


def row(
    external_id="Q-1",
    domain="1.1",
    text="Which control restores data after an incident?",
    options=("Corrective", "Preventive", "Deterrent", "Directive"),
    explanations=("Right: it restores.", "Wrong: before.", "Wrong: discourages.", "Wrong: rules."),
    answer="A",
):
    """A row in the 12-column format (options and explanations padded to A-D)."""
    options = list(options) + [""] * (4 - len(options))
    explanations = list(explanations) + [""] * (4 - len(explanations))
    return [external_id, domain, text, *options, *explanations, answer]


def csv_text(rows, header=HEADER, lineterminator="\n"):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=lineterminator)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def write_csv(path, rows, header=HEADER, lineterminator="\n", bom=False):
    """Write ``rows`` to ``path`` as UTF-8 (with a BOM if asked); return ``path``."""
    text = csv_text(rows, header, lineterminator)
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode())
    return path
