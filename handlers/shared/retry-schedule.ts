// The retry schedule is a contract between the program and the thumbnails handler: defined in contracts/.
export * from "../../contracts/retry-schedule";
