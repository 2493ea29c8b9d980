# syntax=docker/dockerfile:1
# One image for every EvoSync process; the command chooses which:
#   web     node dist/src/main/web.js      (the default)
#   worker  node dist/src/main/worker.js
#   CLI     node dist/src/cli/evosync.js <command>   e.g. `docker compose run --rm worker node dist/src/cli/evosync.js replay`
# (bin/evosync.js runs the TypeScript sources through tsx, a dev dependency absent here.)

ARG NODE_IMAGE=node:20-slim

# --- build: all dependencies, compile TypeScript to dist/ ---
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY projections ./projections
# tsc emits only JavaScript: bring templates and static files (src/web/views, …) next to it,
# where src/web/app.ts looks for them (beside the compiled app.js).
RUN npm run build \
 && cd src && find . -type f ! -name '*.ts' -exec cp --parents {} ../dist/src/ \;

# --- production dependencies only (bcrypt ships prebuilt binaries: nothing compiles) ---
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- runtime ---
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
# Owned by root and read-only to the process: a compromised process cannot rewrite the code.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# VK_DEFAULT_PHOTO_PATH=assets/default_product.png is relative to the working directory.
COPY assets ./assets
USER node
EXPOSE 8080
CMD ["node", "dist/src/main/web.js"]
