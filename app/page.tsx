import { getDb } from "@/lib/db";

export const dynamic = "force-dynamic";

export default async function Home() {
  const db = await getDb();
  const people = await db.person.count();
  return <main className="p-8">Portal: {people} people</main>;
}
