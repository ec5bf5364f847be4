use bcda_infra::storage::{GetOptions, GetRange, ObjectPath, PART_SIZE, Storage, StorageError};
use bcda_testkit::S3Server;
use bytes::Bytes;

async fn s3_storage() -> (S3Server, Storage) {
    let server = S3Server::start("exports").await;
    let storage = Storage::open(&server.storage_config()).expect("open S3 storage");
    (server, storage)
}

/// Deterministic, incompressible-looking bytes so a misplaced part would be noticed.
fn pattern(len: usize) -> Vec<u8> {
    let mut state: u32 = 0x1234_5678;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        })
        .collect()
}

/// The whole object at `path`.
async fn read_whole(storage: &Storage, path: &ObjectPath) -> Bytes {
    storage
        .get(path, GetOptions::default())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
}

#[tokio::test]
async fn small_object_round_trips_through_s3() {
    let (_server, storage) = s3_storage().await;
    let path = ObjectPath::from("42/small.ndjson");
    storage
        .put(&path, Bytes::from_static(b"{\"a\":1}\n"))
        .await
        .unwrap();

    let body = read_whole(&storage, &path).await;
    assert_eq!(&body[..], b"{\"a\":1}\n");
    assert_eq!(storage.head(&path).await.unwrap().size, 8);
}

#[tokio::test]
async fn fifty_megabyte_multipart_upload_reads_back_identically_and_by_range() {
    let (server, storage) = s3_storage().await;
    let data = pattern(50 * 1024 * 1024);
    let path = ObjectPath::from("7/big.ndjson");

    let mut writer = storage.writer(&path);
    // Uneven writes, as a renderer produces them, crossing part boundaries.
    for chunk in data.chunks(1_000_003) {
        writer.write(chunk).await.unwrap();
    }
    assert_eq!(writer.finish().await.unwrap(), data.len() as u64);

    // The object is a real file in the server's bucket directory.
    let on_disk = std::fs::metadata(server.root().join("exports/7/big.ndjson")).unwrap();
    assert_eq!(on_disk.len(), data.len() as u64);

    let whole = read_whole(&storage, &path).await;
    assert!(
        whole == data,
        "the object read back differs from what was written"
    );

    let start = 8 * 1024 * 1024 - 10; // straddles the first part boundary
    let range = storage.get_range(&path, start..start + 20).await.unwrap();
    assert_eq!(&range[..], &data[start as usize..start as usize + 20]);

    let tail = GetOptions {
        range: Some(GetRange::Suffix(5)),
        ..GetOptions::default()
    };
    let tail = storage
        .get(&path, tail)
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&tail[..], &data[data.len() - 5..]);
}

#[tokio::test]
async fn objects_around_one_part_read_back_identically() {
    // Under a part the writer stores the object with one PUT; at a part it switches to a
    // multipart upload, carrying over what it held.
    let (_server, storage) = s3_storage().await;
    for size in [PART_SIZE - 1, PART_SIZE, 2 * PART_SIZE + 1] {
        let data = pattern(size);
        let path = ObjectPath::from(format!("8/{size}.ndjson"));
        let mut writer = storage.writer(&path);
        for chunk in data.chunks(700_001) {
            writer.write(chunk).await.unwrap();
        }
        assert_eq!(writer.finish().await.unwrap(), size as u64);
        let back = read_whole(&storage, &path).await;
        assert!(back == data, "the {size}-byte object read back differs");
    }
}

#[tokio::test]
async fn listing_and_deleting_a_prefix_leaves_other_jobs_alone() {
    let (_server, storage) = s3_storage().await;
    for path in ["1/a.ndjson", "1/b.ndjson", "10/c.ndjson", "2/d.ndjson"] {
        storage
            .put(&ObjectPath::from(path), Bytes::from_static(b"x\n"))
            .await
            .unwrap();
    }

    let mut listed: Vec<String> = storage
        .list(&ObjectPath::from("1"))
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.location.to_string())
        .collect();
    listed.sort();
    assert_eq!(listed, ["1/a.ndjson", "1/b.ndjson"]);

    assert_eq!(
        storage.delete_prefix(&ObjectPath::from("1")).await.unwrap(),
        2
    );
    assert!(
        storage
            .list(&ObjectPath::from("1"))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        storage.list(&ObjectPath::from("10")).await.unwrap().len(),
        1
    );
    assert_eq!(storage.list(&ObjectPath::from("2")).await.unwrap().len(), 1);
}

#[tokio::test]
async fn deleting_is_idempotent_and_reading_a_missing_object_is_not_found() {
    let (_server, storage) = s3_storage().await;
    let path = ObjectPath::from("3/gone.ndjson");
    storage
        .put(&path, Bytes::from_static(b"x\n"))
        .await
        .unwrap();
    storage.delete(&path).await.unwrap();
    storage.delete(&path).await.unwrap();

    let err = storage.get(&path, GetOptions::default()).await.unwrap_err();
    assert!(matches!(err, StorageError::NotFound(_)), "{err:?}");
}

#[tokio::test]
async fn aborted_upload_leaves_no_object() {
    // Both while the writer holds the bytes and once it has started a multipart upload.
    let (_server, storage) = s3_storage().await;
    for (prefix, size) in [("4", 1024), ("9", PART_SIZE + 10)] {
        let path = ObjectPath::from(format!("{prefix}/aborted.ndjson"));
        let mut writer = storage.writer(&path);
        writer.write(&pattern(size)).await.unwrap();
        writer.abort().await.unwrap();

        assert!(
            storage
                .list(&ObjectPath::from(prefix))
                .await
                .unwrap()
                .is_empty(),
            "a {size}-byte aborted upload left an object"
        );
    }
}

#[tokio::test]
async fn wrong_credentials_are_refused_by_the_server() {
    let (server, _storage) = s3_storage().await;
    let mut config = server.storage_config();
    if let bcda_infra::config::StorageConfig::S3(s3) = &mut config {
        s3.secret_access_key = Some("not-the-secret".to_owned().into());
    }
    let storage = Storage::open(&config).unwrap();
    let err = storage
        .put(&ObjectPath::from("x"), Bytes::from_static(b"x"))
        .await;
    assert!(
        err.is_err(),
        "a request signed with the wrong secret must fail"
    );
}

#[tokio::test]
async fn filesystem_storage_round_trips_without_any_server() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::open(&bcda_infra::config::StorageConfig::Filesystem {
        root: dir.path().join("exports"),
    })
    .unwrap();
    let path = ObjectPath::from("5/local.ndjson");
    let mut writer = storage.writer(&path);
    writer.write(b"{\"b\":2}\n").await.unwrap();
    writer.finish().await.unwrap();
    assert_eq!(&storage.get_range(&path, 1..4).await.unwrap()[..], b"\"b\"");
    storage.ping().await.unwrap();
}
