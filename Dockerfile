# claude-sdk-pattern: one container, one /data volume (SQLite, the CLI's config and transcripts).
# The base is an argument so machines that cannot pull images build on a local stand-in
# (deploy/container/build-base.sh); on a normal machine the default works as is.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS builder
# better-sqlite3 compiles from source when no prebuilt binary is reachable.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Dependencies from the lockfile alone (its root entry lists them), so editing package.json's
# scripts does not redo the install and the native compile.
COPY package-lock.json ./
RUN node -e "const r=require('./package-lock.json').packages['']; require('fs').writeFileSync('package.json', JSON.stringify({name: r.name, version: r.version, dependencies: r.dependencies, devDependencies: r.devDependencies}))" \
 && npm ci --no-audit --no-fund
COPY . .
# Build, then keep production dependencies only, minus what never runs: the native module's
# sources and objects, source maps, type declarations, and @anthropic-ai/sdk (a peer of the
# Agent SDK for its types only: nothing imports it at run time).
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf node_modules/better-sqlite3/deps node_modules/better-sqlite3/src \
      node_modules/better-sqlite3/build/Release/obj* node_modules/better-sqlite3/build/Release/.deps \
      node_modules/better-sqlite3/build/deps \
 && find dist node_modules -name '*.map' -delete \
 && find node_modules -name '*.d.ts' -delete \
 && find node_modules -name '*.d.mts' -delete \
 && rm -rf node_modules/@anthropic-ai/sdk

FROM ${NODE_IMAGE} AS runtime
# tini: Node as PID 1 would ignore SIGTERM and never reap orphans.
# bubblewrap and socat: the Bash sandbox (socat bridges its network proxy). ca-certificates: the CLI's TLS to the model API.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini bubblewrap socat ca-certificates \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/* \
 && groupadd --system --gid 10001 csp \
 && useradd --system --uid 10001 --gid csp --home-dir /data --no-create-home --shell /usr/sbin/nologin csp \
 && mkdir -p /data /project \
 && chown csp:csp /data /project \
 && chmod 0700 /data
WORKDIR /app
# Root-owned and read-only for the server user: an agent's Bash cannot change the server.
COPY --from=builder /app/package.json ./
COPY --from=builder /app/node_modules ./node_modules
COPY --from=builder /app/dist ./dist
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATABASE_URL=sqlite:////data/sessions.db \
    CLAUDE_CONFIG_DIR=/data/claude \
    PROJECT_DIR=/project \
    HOME=/data
VOLUME ["/data"]
EXPOSE 8000
USER csp
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/api/v1/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/main.js"]
