#!/usr/bin/env bash
# Makes sure the local Postgres and RabbitMQ that `make run` and `make test` use are up.
# Starts them when they are installed but stopped, and installs them from Debian's
# packages (as root) when they are missing. Does nothing to a service that already
# answers, so it is safe to run any number of times.
set -euo pipefail

pg_host=127.0.0.1
pg_port=5432
amqp_port=5672

listening() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_for() { # name host port seconds
  local i
  for ((i = 0; i < $4 * 4; i++)); do
    listening "$2" "$3" && return 0
    sleep 0.25
  done
  echo "ensure-services: $1 did not come up on $2:$3 within $4 s" >&2
  return 1
}

apt_install() {
  if [ "$(id -u)" != 0 ]; then
    echo "ensure-services: $* missing; install it (as root: apt-get install $*)" >&2
    exit 1
  fi
  echo "ensure-services: installing $*"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! listening "$pg_host" "$pg_port"; then
  command -v pg_ctlcluster >/dev/null || apt_install postgresql
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "ensure-services: starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_for PostgreSQL "$pg_host" "$pg_port" 30
fi

if ! listening 127.0.0.1 "$amqp_port"; then
  command -v rabbitmq-server >/dev/null || apt_install rabbitmq-server
  if rabbitmqctl -q ping >/dev/null 2>&1; then
    # The node runs but its application was stopped (rabbitmqctl stop_app).
    echo "ensure-services: starting RabbitMQ's application"
    rabbitmqctl -q start_app || true
  else
    echo "ensure-services: starting RabbitMQ"
    rabbitmq-server -detached || true
  fi
  wait_for RabbitMQ 127.0.0.1 "$amqp_port" 90
fi
