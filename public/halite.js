// Halite's only script besides htmx: tell the operator when the console itself cannot be reached,
// instead of a click that silently does nothing.
document.addEventListener('htmx:sendError', function () {
  var slot = document.getElementById('banner');
  if (!slot) return;
  slot.innerHTML = '';
  var div = document.createElement('div');
  div.className = 'banner banner-error';
  div.setAttribute('role', 'status');
  div.textContent = 'Halite did not answer: check the network or the server, then retry.';
  slot.appendChild(div);
});
