# One multi-stage build for both hosts: `docker build --target silo .` and `docker build --target api .`
# (docker-compose.yml builds both). The SDK image compiles and publishes; each host then runs on the smaller ASP.NET
# runtime image as the image's non-root user (app, uid 1654), with only its published output.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files alone, so a source change does not download the packages again.
COPY Directory.Build.props Directory.Packages.props ./
COPY src/Orleans.TaskEngine.Abstractions/Orleans.TaskEngine.Abstractions.csproj src/Orleans.TaskEngine.Abstractions/
COPY src/Orleans.TaskEngine.Storage/Orleans.TaskEngine.Storage.csproj src/Orleans.TaskEngine.Storage/
COPY src/Orleans.TaskEngine.Grains/Orleans.TaskEngine.Grains.csproj src/Orleans.TaskEngine.Grains/
COPY src/Orleans.TaskEngine.Hosting/Orleans.TaskEngine.Hosting.csproj src/Orleans.TaskEngine.Hosting/
COPY src/Orleans.TaskEngine.Client/Orleans.TaskEngine.Client.csproj src/Orleans.TaskEngine.Client/
COPY src/Orleans.TaskEngine.Silo/Orleans.TaskEngine.Silo.csproj src/Orleans.TaskEngine.Silo/
COPY src/Orleans.TaskEngine.Api/Orleans.TaskEngine.Api.csproj src/Orleans.TaskEngine.Api/
RUN dotnet restore src/Orleans.TaskEngine.Silo/Orleans.TaskEngine.Silo.csproj \
 && dotnet restore src/Orleans.TaskEngine.Api/Orleans.TaskEngine.Api.csproj
COPY silo-config/ silo-config/
COPY src/ src/
RUN dotnet publish src/Orleans.TaskEngine.Silo -c Release --no-restore -o /out/silo \
 && dotnet publish src/Orleans.TaskEngine.Api -c Release --no-restore -o /out/api

# What both hosts share: curl for the health checks, and the non-root user.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The default store is the SQLite file data/taskengine.db under the working directory: writable by the app user.
RUN mkdir -p /app/data && chown "$APP_UID" /app/data
VOLUME /app/data
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_TC_CallCountingDelayMs=0

# A silo: grains and workers; its Orleans Dashboard, /metrics and /health on :8081; silo port 11111, gateway 30000.
# `init-db` as the command applies the PostgreSQL schema and exits.
FROM runtime AS silo
COPY --from=build /out/silo ./
ENV ASPNETCORE_URLS=http://+:8081
EXPOSE 8081 11111 30000
USER $APP_UID
ENTRYPOINT ["dotnet", "Orleans.TaskEngine.Silo.dll"]

# The API host: REST, task dashboard, docs and /metrics on :8080.
FROM runtime AS api
COPY --from=build /out/api ./
ENV ASPNETCORE_URLS=http://+:8080
EXPOSE 8080
USER $APP_UID
ENTRYPOINT ["dotnet", "Orleans.TaskEngine.Api.dll"]
