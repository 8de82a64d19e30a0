"use client";

export default function GlobalError({ error }: { error: Error & { digest?: string } }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: "system-ui", textAlign: "center", padding: "3rem" }}>
        <h1>Something went wrong</h1>
        <p>The portal could not load. Nothing was changed.</p>
        {error.digest && <p style={{ fontFamily: "monospace", fontSize: 12 }}>Reference: {error.digest}</p>}
      </body>
    </html>
  );
}
