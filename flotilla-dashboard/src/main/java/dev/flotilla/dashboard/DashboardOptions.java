package dev.flotilla.dashboard;

import dev.flotilla.dashboard.alerts.AlertRule;
import java.util.List;

/**
 * How the control plane's dashboard runs.
 *
 * @param host    the address to listen on
 * @param port    its port; 0 picks a free one
 * @param token   a bearer token that allows actions (drain an instance, reload an app); null keeps the
 *                dashboard read-only
 * @param alerts  the alert rules to evaluate
 * @param webhook where firings and resolutions are POSTed (Alertmanager's webhook shape); null for none
 */
public record DashboardOptions(String host, int port, String token, List<AlertRule> alerts, String webhook) {

    public DashboardOptions {
        alerts = alerts == null ? List.of() : List.copyOf(alerts);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("dashboard port: " + port + " (expected 0..65535)");
        }
    }
}
