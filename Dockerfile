# maskgate: multi-stage build on the current Node LTS. Native modules (better-sqlite3) are compiled
# in the build stage; the runtime stage has no compiler and runs as the unprivileged `node` user.
FROM node:26-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY views ./views
COPY config ./config
RUN npm run build && npm prune --omit=dev

FROM node:26-bookworm-slim
# Standard ports inside the container. The `node` user may bind 25, 465 and 587 because Docker
# (20.10+) sets net.ipv4.ip_unprivileged_port_start=0 in the container's network namespace; other
# engines: see deploy/docker-compose.yml. Submission (587, STARTTLS) and 465 (implicit TLS) open
# only when MASKGATE_TLS_CERT and MASKGATE_TLS_KEY name a certificate.
# MALLOC_MMAP_THRESHOLD_: glibc gives every allocation of 4 MiB or more a mapping of its own,
# unmapped when freed (a large message's buffers leave RSS at once; README "Speed", round 19).
ENV NODE_ENV=production \
    MALLOC_MMAP_THRESHOLD_=4194304 \
    MASKGATE_DATA_DIR=/data \
    MASKGATE_SMTP_HOST=0.0.0.0 \
    MASKGATE_SMTP_PORT=25 \
    MASKGATE_SUBMISSION_HOST=0.0.0.0 \
    MASKGATE_SUBMISSION_PORT=587 \
    MASKGATE_SUBMISSION_TLS_PORT=465 \
    MASKGATE_HTTP_HOST=0.0.0.0 \
    MASKGATE_HTTP_PORT=8080
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY config ./config
COPY views/assets ./views/assets
COPY bin ./bin
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
# SMTP (MX), implicit-TLS submission, submission, HTTP (admin, API, /healthz, /readyz, /metrics).
EXPOSE 25 465 587 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.MASKGATE_HTTP_PORT || 8080) + '/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
# --expose-gc: each thread collects a large message's garbage at once (relay/collect-garbage.ts);
# --max-semi-space-size=4: a small young generation per thread (RSS); --heap-growing-percent=50:
# each heap may grow by half what survived before its next full collection (V8 chose ×1.1 on these
# small heaps: a full collection every ~2 messages of 1 MiB on the SMTP thread; ×2 until round 13
# left ~30 MB of garbage resident at 10 KiB). README "Speed", rounds 6-7 and 13.
CMD ["node", "--expose-gc", "--max-semi-space-size=4", "--heap-growing-percent=50", "dist/src/main.js"]
