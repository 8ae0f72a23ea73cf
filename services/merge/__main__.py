"""`python -m services.merge`: run the merge stage worker."""

from services.merge.app import stage
from shared.runtime import run_worker

run_worker(stage)
