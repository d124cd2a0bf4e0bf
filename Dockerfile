# One image for every Airflow component and every task of the platform: Airflow's environment
# (/opt/olp/.venv), dbt's (/opt/olp/dbt_project/.venv) and the dbt manifest built for
# production. `make image` builds it (Docker, or buildah on a debootstrapped Debian base).
ARG BASE_IMAGE=python:3.11-slim-bookworm

# What every stage needs at run time, with the base's security updates. The default base ships
# Python 3.11 in /usr/local; a plain Debian bookworm base (the buildah path) gets Debian's own.
FROM ${BASE_IMAGE} AS runtime-base
ARG DEBIAN_FRONTEND=noninteractive
ENV LANG=C.UTF-8
RUN set -eux; \
    packages="tini ca-certificates"; \
    command -v python3.11 >/dev/null || packages="$packages python3.11"; \
    apt-get update; \
    apt-get upgrade -y; \
    apt-get install -y --no-install-recommends $packages; \
    apt-get clean; \
    rm -rf /var/lib/apt/lists/* /var/log/apt /var/log/dpkg.log /var/cache/debconf/*-old; \
    python3.11 --version

FROM runtime-base AS builder
ARG DEBIAN_FRONTEND=noninteractive
ARG UV_VERSION=0.13.9
ARG OLP_ENV=production
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never UV_PYTHON=python3.11 \
    DO_NOT_TRACK=1 DBT_SEND_ANONYMOUS_USAGE_STATS=false
COPY docker/with-build-ca /usr/local/bin/
# uv from PyPI in a throwaway venv (Debian's Python needs python3.11-venv for ensurepip).
RUN --mount=type=secret,id=ca-bundle set -eux; \
    python3.11 -m venv /opt/uv || { apt-get update; \
      apt-get install -y --no-install-recommends python3.11-venv; python3.11 -m venv /opt/uv; }; \
    with-build-ca /opt/uv/bin/pip install --no-cache-dir --disable-pip-version-check \
      "uv==${UV_VERSION}"; \
    ln -s /opt/uv/bin/uv /usr/local/bin/uv
WORKDIR /opt/olp
# Dependencies first (they change less often than the code), from the lockfiles only.
COPY pyproject.toml uv.lock README.md ./
RUN --mount=type=secret,id=ca-bundle --mount=type=cache,target=/root/.cache/uv \
    with-build-ca uv sync --frozen --no-dev --no-install-project
COPY dbt_project/pyproject.toml dbt_project/uv.lock dbt_project/
RUN --mount=type=secret,id=ca-bundle --mount=type=cache,target=/root/.cache/uv \
    cd dbt_project && with-build-ca uv sync --frozen --no-dev --no-install-project
COPY dags dags
COPY plugins plugins
COPY include include
COPY dbt_project dbt_project
# The projects themselves (editable: the code stays in /opt/olp where the DAGs find the
# registry and the dbt project), then the production manifest: the `trino` target needs no
# server to parse. The schema is the one Cosmos passes at run time.
RUN --mount=type=secret,id=ca-bundle --mount=type=cache,target=/root/.cache/uv set -eux; \
    with-build-ca uv sync --frozen --no-dev; \
    cd dbt_project; \
    with-build-ca uv sync --frozen --no-dev; \
    DBT_TARGET=trino OLP_WAREHOUSE_SCHEMA="ol_warehouse_${OLP_ENV}" \
      .venv/bin/dbt parse --profiles-dir . --profile ol_dbt --target trino --quiet; \
    test -s target/manifest.json; \
    rm -rf logs .user.yml target/graph.gpickle; \
    cd ..; \
    .venv/bin/python -m compileall -q dags plugins dbt_project/olp_dbt

FROM runtime-base
ARG BASE_IMAGE
ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED
ARG OLP_ENV=production
LABEL org.opencontainers.image.title="ol-platform" \
      org.opencontainers.image.description="MIT Open Learning's ELT platform on Apache Airflow 3: every Airflow component, dbt and the DAGs in one image" \
      org.opencontainers.image.vendor="MIT Open Learning" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="${BASE_IMAGE}"
# uid 50000, gid 0: any uid in group 0 (OpenShift) can write the state directories too.
RUN set -eux; \
    useradd --uid 50000 --gid 0 --home-dir /home/airflow --create-home --shell /bin/bash airflow; \
    install -d -o 50000 -g 0 -m 2775 /opt/airflow /opt/airflow/logs /var/lib/olp \
      /home/airflow/.cache; \
    chmod 2775 /home/airflow
COPY --from=builder /opt/olp /opt/olp
COPY docker/entrypoint.sh /opt/olp/bin/entrypoint
COPY docker/healthcheck.py /opt/olp/bin/healthcheck
# An empty airflow.cfg: Airflow writes one on first use when it is missing, with a freshly
# generated Fernet key and JWT secret. Configuration comes from AIRFLOW__* variables.
COPY docker/airflow.cfg /opt/airflow/airflow.cfg
ENV PATH=/opt/olp/.venv/bin:$PATH \
    HOME=/home/airflow \
    AIRFLOW_HOME=/opt/airflow \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/olp/dags \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    OLP_ENV=${OLP_ENV} \
    OLP_HOME=/var/lib/olp \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DO_NOT_TRACK=1 \
    RUNTIME__DLTHUB_TELEMETRY=false \
    DBT_SEND_ANONYMOUS_USAGE_STATS=false
USER 50000
WORKDIR /opt/airflow
EXPOSE 8080
# Probes whichever component the container runs (api-server, scheduler, dag-processor,
# triggerer); other commands report healthy. Kubernetes ignores it: the chart has its probes.
HEALTHCHECK --interval=30s --timeout=20s --start-period=90s --retries=3 \
    CMD ["/opt/olp/bin/healthcheck"]
ENTRYPOINT ["/usr/bin/tini", "--", "/opt/olp/bin/entrypoint"]
CMD []
