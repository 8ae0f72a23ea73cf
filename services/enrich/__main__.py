"""`python -m services.enrich`: run the enrich stage worker."""

from services.enrich.app import stage
from shared.runtime import run_worker

run_worker(stage)
