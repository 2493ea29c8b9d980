// /sync: the state at a glance, redrawn from /sync/progress every few seconds (polling; see
// docs/architecture.md). When a push starts or ends the page reloads, so the runs and counts
// below catch up too.
(() => {
  const glance = document.getElementById('sync-glance');
  if (!glance) return;
  const $ = (id) => document.getElementById(id);
  // Once a push has been seen running, its end reloads the page (the runs table catches up).
  let sawRunning = glance.dataset.runningPush !== '';

  function draw(s) {
    const status = $('sync-status');
    status.className = 'sync-status sync-status-' + (s.broken ? 'broken' : status.dataset.config);
    status.querySelector('strong').textContent = s.statusLabel;
    const reasons = $('sync-reasons');
    reasons.replaceChildren(
      ...s.reasons.map((r) => {
        const div = document.createElement('div');
        div.className = 'flash flash-error sync-reason';
        div.setAttribute('role', 'alert');
        div.append(r.text);
        if (r.link) {
          const a = document.createElement('a');
          a.href = r.link.href;
          a.textContent = r.link.label;
          div.append(' ', a);
        }
        return div;
      }),
    );
    $('sync-activity').className = 'sync-activity sync-phase-' + s.phase;
    $('sync-phase').textContent = s.phaseLabel;
    const progress = $('sync-progress');
    progress.hidden = !s.running;
    if (s.running) {
      $('sync-progress-bar').max = s.total;
      $('sync-progress-bar').value = s.done;
      $('sync-progress-text').textContent = s.progressText;
      $('sync-progress-percent').textContent = s.percent + ' %';
      $('sync-progress-left').textContent = s.leftText || '';
    }
    // Times arrive formatted in the owner's zone, as the server renders the page.
    if (s.lastRun) $('sync-last-run').textContent = s.lastRun.text;
    if (s.nextRunText) $('sync-next-run').textContent = s.nextRunText;
  }

  async function poll() {
    try {
      const res = await fetch(glance.dataset.progressUrl, {
        headers: { Accept: 'application/json' },
        credentials: 'same-origin',
      });
      if (res.ok) {
        const s = await res.json();
        draw(s);
        if (s.running) sawRunning = true;
        else if (sawRunning) {
          window.location.reload();
          return;
        }
      }
    } catch {
      // offline for a moment: the next poll tries again
    }
    window.setTimeout(poll, 2000);
  }
  window.setTimeout(poll, 1000);
})();
