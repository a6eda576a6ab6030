# syntax=docker/dockerfile:1
# Halite: one process, one database. Build: docker build -t halite .
# Run:   docker run -p 8080:8080 -v halite-data:/data -e HALITE_SECRET_KEY=$(openssl rand -hex 32) halite

# --- dependencies: production packages only, installed where native modules can build ---
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- runtime ---
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HALITE_HOST=0.0.0.0 \
    HALITE_PORT=8080 \
    HALITE_DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY src ./src
COPY views ./views
COPY public ./public
COPY migrations ./migrations
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--import", "tsx", "src/server.ts"]
