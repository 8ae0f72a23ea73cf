# One image for every wiredesk service; the compose file picks the stage with its command.
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md ./
COPY shared shared
COPY services services
COPY cli cli
COPY schemas schemas
COPY deploy deploy
RUN pip install --no-cache-dir .
ENV WIREDESK_STATE_DIR=/var/lib/wiredesk WIREDESK_WEB_HOST=0.0.0.0
