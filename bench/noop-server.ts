/**
 * The assignment API benchmark's floor: a bare Node HTTP server that reads the body and answers a
 * constant JSON, in its own process. What loopback, autocannon and this machine cost at the same
 * rate, with no application behind it.
 */
import { createServer } from "node:http";

const port = Number(process.env.PORT ?? 3296);
createServer((req, res) => {
  req.resume();
  req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}'));
}).listen(port, "127.0.0.1", () => console.log(`noop server on ${port}`));
