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
ENV NODE_ENV=production \
    MASKGATE_DATA_DIR=/data \
    MASKGATE_SMTP_HOST=0.0.0.0 \
    MASKGATE_HTTP_HOST=0.0.0.0
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
# SMTP (MX), submission (needs MASKGATE_TLS_CERT/KEY) and HTTP (admin, API, /healthz).
# Map the host's low ports onto them: docker run -p 25:2525 -p 587:2587 (no root inside).
ENV MASKGATE_SUBMISSION_HOST=0.0.0.0
EXPOSE 2525 2587 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main.js"]
