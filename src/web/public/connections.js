// "Проверить" without leaving the page: posts the form (CSRF token included) and shows the JSON.
document.querySelectorAll('form.js-connection-test').forEach((form) => {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const out = document.getElementById(form.dataset.result);
    const button = form.querySelector('button');
    button.disabled = true;
    out.hidden = false;
    out.textContent = 'Проверяем…';
    try {
      const res = await fetch(form.action, {
        method: 'POST',
        headers: { Accept: 'application/json', 'x-csrf-token': form.elements._csrf.value },
        credentials: 'same-origin',
      });
      const body = await res.json();
      out.className = 'test-result ' + (body.ok ? 'test-ok' : 'test-failed');
      out.textContent = (body.message || '') + '\n' + JSON.stringify(body, null, 2);
    } catch (error) {
      out.className = 'test-result test-failed';
      out.textContent = 'Не удалось выполнить проверку: ' + error;
    } finally {
      button.disabled = false;
    }
  });
});
