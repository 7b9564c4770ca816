/**
 * Runs `start` again, up to three times in all, when it failed because a randomly chosen port was taken (random
 * ports lie in the kernel's ephemeral range, so an outgoing connection can hold one). Each call picks new ports.
 */
export async function retryOnTakenPort<T>(start: () => Promise<T>, taken = /EADDRINUSE/): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (attempt >= 3 || !taken.test(String(err))) throw err;
    }
  }
}
