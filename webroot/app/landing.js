// The landing page: open an event or its presenter console by number, and show whether this node is ready.

for (const form of document.querySelectorAll('form[data-page]')) {
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const id = form.querySelector('input').value.trim();
    if (/^\d+$/.test(id)) location.href = form.dataset.page + id;
  });
}
const status = document.getElementById('status');
fetch('/health/ready').then((r) => r.json()).then((h) => {
  const up = (h.outcome || h.status) === 'UP';
  status.dataset.state = up ? 'online' : 'offline';
  status.textContent = up ? 'This node is ready' : 'This node is not ready';
}).catch(() => { status.dataset.state = 'offline'; status.textContent = 'This node cannot be reached'; });
