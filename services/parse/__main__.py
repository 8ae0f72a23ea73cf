"""`python -m services.parse`: run the parse stage worker."""

from services.parse.app import stage
from shared.runtime import run_worker

run_worker(stage)
