"""`python -m services.dedup`: run the dedup stage worker."""

from services.dedup.app import stage
from shared.runtime import run_worker

run_worker(stage)
