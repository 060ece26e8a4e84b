# bounce-triage container image.
#
#   docker build -t bounce-triage .
#   docker run -d --name bounce-triage --stop-timeout 45 \
#     -p 2525:2525 -p 9525:9525 -v bounce-triage-data:/data \
#     -e BOUNCE_TRIAGE_HTTP_API_TOKENS="$(openssl rand -hex 24)" \
#     -e BOUNCE_TRIAGE_SMTP_BOUNCE_DOMAINS=bounce.example.com \
#     bounce-triage
#
# The listeners bind 0.0.0.0 inside the container, and the configuration refuses a non-loopback
# /v1 API without a bearer token: without BOUNCE_TRIAGE_HTTP_API_TOKENS (or http.apiTokens in a
# --config file) the container exits at once with status 78 and says so. That is deliberate: an
# image must not ship a known token, and one generated at start would lock the operator out.
# /metrics, /healthz and /readyz need no token.
#
# Both stages use the same pinned image, so the better-sqlite3 addon compiled in the build stage
# runs on exactly the Node (ABI) and glibc it was compiled for. The steps are CI's: npm ci (whose
# `prepare` builds), npm run build, then the production dependencies only.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
# better-sqlite3 is compiled from source by node-gyp: it needs python3, make and a C++ compiler.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# Compile against this image's own Node headers (/usr/local/include/node) instead of downloading
# a prebuilt binary or a header tarball: the addon is built for this exact Node. (prebuild-install
# reads npm_config_build_from_source from the environment; npm 11 warns it does not know it.)
ENV npm_config_build_from_source=true \
    npm_config_nodedir=/usr/local \
    npm_config_audit=false \
    npm_config_fund=false \
    npm_config_update_notifier=false
WORKDIR /src
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bench ./bench
COPY config ./config
COPY docs/openapi.json ./docs/openapi.json
# The cache mount (BuildKit, the default builder) keeps downloaded tarballs between builds.
RUN --mount=type=cache,target=/root/.npm \
    npm ci
RUN npm run build
# Drop the dev dependencies (tsc, tap...) from node_modules. The compiled addon stays as built;
# its sources and object files (about 27 MB) go, and a smoke test proves it still loads.
RUN npm prune --omit=dev \
 && cd node_modules/better-sqlite3 \
 && mv build/Release/better_sqlite3.node /tmp/better_sqlite3.node \
 && rm -rf build deps src \
 && mkdir -p build/Release \
 && mv /tmp/better_sqlite3.node build/Release/better_sqlite3.node \
 && cd /src \
 && node -e "new (require('better-sqlite3'))(':memory:').close()"

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    BOUNCE_TRIAGE_SMTP_HOST=0.0.0.0 \
    BOUNCE_TRIAGE_HTTP_HOST=0.0.0.0 \
    BOUNCE_TRIAGE_STORE_SQLITE_PATH=/data/bounce-triage.sqlite
WORKDIR /app
# The SQLite file (and its -wal/-shm companions) lives on the volume; a fresh named volume takes
# this directory's owner, so the unprivileged user can write it.
RUN mkdir -p /data && chown 1000:1000 /data && chmod 0750 /data
# Code and shipped files stay owned by root: the process can read them, not change them.
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
COPY --from=build /src/config ./config
COPY --from=build /src/docs/openapi.json ./docs/openapi.json
# uid/gid 1000 is the image's `node` user; numeric so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
VOLUME ["/data"]
# 2525 SMTP (bounces in), 9525 HTTP (/metrics, /healthz, /readyz, /v1).
EXPOSE 2525 9525
# SIGTERM: stop taking mail (421 after smtp.shutdownGrace, 10s by default), finish in-flight
# commits, stop the webhook relay, close the store. Give it more than that grace period:
# `docker run --stop-timeout 45`, compose `stop_grace_period: 45s`.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.BOUNCE_TRIAGE_HTTP_PORT||9525)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself. Other commands work too, e.g.
# `docker run --rm -v bounce-triage-data:/data bounce-triage state alice@contoso.com`.
ENTRYPOINT ["node", "dist/src/main.js"]
CMD ["serve"]
